"""Where an office's people are told of new inbox items: settings, per office."""

from typing import Annotated

from pydantic import BaseModel, Field, SecretStr

from agencyflow.domain.bounded import AsciiCode


class OfficeChannels(BaseModel):
    """One office's channels; either or both."""

    email: Annotated[
        list[Annotated[str, AsciiCode, Field(max_length=254)]], Field(max_length=50)
    ] = []
    """Addresses that receive its messages."""
    webhook: Annotated[str, Field(max_length=1000)] = ""
    """A DingTalk / 浙政钉 group robot's URL (``…/robot/send?access_token=…``)."""
    webhook_secret: SecretStr | None = None
    """The robot's signing secret (加签), if it has one."""

    @property
    def any(self) -> bool:
        return bool(self.email or self.webhook)
