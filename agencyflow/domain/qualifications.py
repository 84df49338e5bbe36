"""Professional certificates that count towards admission (R2) and their specialties."""

from .labels import LabelledEnum


class CertificateKind(LabelledEnum):
    REGISTERED_SAFETY_ENGINEER = ("registered_safety_engineer", "注册安全工程师")
    SAFETY_EVALUATOR = ("safety_evaluator", "安全评价师")
    REGISTERED_FIRE_ENGINEER = ("registered_fire_engineer", "注册消防工程师")
    INTERMEDIATE_ENGINEER = ("intermediate_engineer", "中级工程师")

    @property
    def needs_specialty(self) -> bool:
        """An intermediate title only counts for high-risk work in its own specialty (R2)."""
        return self is CertificateKind.INTERMEDIATE_ENGINEER


class Specialty(LabelledEnum):
    CHEMICAL = ("chemical", "化工")
    MINING = ("mining", "采矿")
    METALLURGY = ("metallurgy", "冶金")
    MECHANICAL = ("mechanical", "机械")
    ELECTRICAL = ("electrical", "电气")
    CIVIL = ("civil", "土木建筑")
    FIRE_PROTECTION = ("fire_protection", "消防")
    SAFETY = ("safety", "安全工程")
    OTHER = ("other", "其他")
