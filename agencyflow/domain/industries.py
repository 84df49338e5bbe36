"""Industries of served enterprises; high-risk ones need a matching specialist (R2, R4)."""

from .labels import LabelledEnum
from .qualifications import Specialty


class Industry(LabelledEnum):
    HAZARDOUS_CHEMICALS = ("hazardous_chemicals", "危险化学品")
    CHEMICAL = ("chemical", "化工")
    NON_COAL_MINING = ("non_coal_mining", "非煤矿山")
    FIREWORKS = ("fireworks", "烟花爆竹")
    METALLURGY = ("metallurgy", "冶金")
    MACHINERY = ("machinery", "机械")
    LIGHT_INDUSTRY = ("light_industry", "轻工")
    TEXTILES = ("textiles", "纺织")
    BUILDING_MATERIALS = ("building_materials", "建材")
    NONFERROUS_METALS = ("nonferrous_metals", "有色")
    TOBACCO = ("tobacco", "烟草")
    COMMERCE_AND_TRADE = ("commerce_and_trade", "商贸")
    OTHER = ("other", "其他")

    @property
    def is_high_risk(self) -> bool:
        return self in HIGH_RISK_SPECIALTY

    @property
    def required_specialty(self) -> Specialty | None:
        """The intermediate engineer's specialty a team serving this industry must include."""
        return HIGH_RISK_SPECIALTY.get(self)


HIGH_RISK_SPECIALTY: dict[Industry, Specialty] = {
    Industry.HAZARDOUS_CHEMICALS: Specialty.CHEMICAL,
    Industry.CHEMICAL: Specialty.CHEMICAL,
    Industry.FIREWORKS: Specialty.CHEMICAL,
    Industry.NON_COAL_MINING: Specialty.MINING,
    Industry.METALLURGY: Specialty.METALLURGY,
}
"""High-risk industries (高危行业) and the specialty R2 demands for each."""
