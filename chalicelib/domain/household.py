"""A household of a grid: the unit that earns and redeems points (DESIGN §6). Operational data."""
from dataclasses import asdict, dataclass


@dataclass
class Household:
    id: str
    grid: str
    head: str              # personal data: shown masked outside the grid's own staff
    phone: str | None      # personal data: always masked in responses
    members: int
    address: str
    created_at: str
    created_by: str
    version: int = 1

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Household":
        return cls(**data)
