"""What the activities that write the read model share: the engine they write with."""

from sqlalchemy import Engine


class ReadModelActivities:
    """Activities bound to the read model's database; the worker makes one of each."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
