"""Messages that reach people: e-mail and DingTalk / 浙政钉 robots, from the outbox."""
