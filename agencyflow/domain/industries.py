"""Industries of served enterprises. Which are high-risk, and the specialist each needs
(R2, R4), is policy: `Policy.high_risk_industries`."""

from .labels import LabelledEnum


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
