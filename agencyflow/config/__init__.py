"""Settings, policy and logging setup. Nothing here reads the environment at import time."""
