"""structlog setup: console lines on a terminal, JSON lines otherwise, one stream.

The standard library's loggers (Temporal's, uvicorn's, Alembic's) are routed through
structlog's `ProcessorFormatter`, and so are the logs of Temporal's core, which would
otherwise write text lines of its own: production logs are a single JSON stream.
"""

import logging
import sys
from typing import Literal

import structlog
from structlog.typing import EventDict, Processor
from temporalio.runtime import (
    LogForwardingConfig,
    LoggingConfig,
    Runtime,
    TelemetryConfig,
    TelemetryFilter,
)


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
    route_temporal_core_logs()


TEMPORAL_CORE_LOGGER = "temporalio.core"


def route_temporal_core_logs() -> None:
    """Temporal's core (Rust) writes its own coloured text lines to stderr unless told
    otherwise; forwarded to a standard logger, they join the one structlog stream. Must
    run before the first Temporal client is made: clients keep the runtime they began on."""
    Runtime.set_default(core_runtime("WARN"), error_if_already_set=False)


def core_runtime(level: str) -> Runtime:
    """A Temporal runtime whose core logs at ``level`` and above go to `TEMPORAL_CORE_LOGGER`."""
    return Runtime(
        telemetry=TelemetryConfig(
            logging=LoggingConfig(
                filter=TelemetryFilter(core_level=level, other_level="ERROR"),
                forwarding=LogForwardingConfig(logger=logging.getLogger(TEMPORAL_CORE_LOGGER)),
            )
        )
    )
