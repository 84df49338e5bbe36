"""structlog setup: console lines on a terminal, JSON lines otherwise, one stream.

The standard library's loggers (Temporal's, uvicorn's, Alembic's) are routed through
structlog's `ProcessorFormatter`, so production logs are a single JSON stream.
"""

import logging
import sys
from typing import Literal

import structlog
from structlog.typing import EventDict, Processor


def _drop_color_message(_logger: object, _method: str, event: EventDict) -> EventDict:
    # uvicorn attaches an ANSI-coloured copy of each message; it only clutters our lines.
    event.pop("color_message", None)
    return event


_SHARED: list[Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.ExtraAdder(),
    _drop_color_message,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def configure_logging(
    log_format: Literal["auto", "console", "json"] = "auto", level: str = "info"
) -> None:
    use_console = log_format == "console" or (log_format == "auto" and sys.stderr.isatty())
    renderer: Processor = (
        structlog.dev.ConsoleRenderer()
        if use_console
        else structlog.processors.JSONRenderer(ensure_ascii=False)
    )
    final: list[Processor] = [structlog.stdlib.ProcessorFormatter.remove_processors_meta]
    if not use_console:
        final.append(structlog.processors.format_exc_info)
    final.append(renderer)

    structlog.configure(
        processors=[
            *_SHARED,
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(foreign_pre_chain=_SHARED, processors=final)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # uvicorn's own access log would duplicate our request log line.
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
