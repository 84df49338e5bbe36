"""The service types of the regional list (社会化服务类型清单, R1)."""

from .labels import LabelledEnum


class ServiceType(LabelledEnum):
    HAZARD_INVESTIGATION = ("hazard_investigation", "隐患排查")
    SAFETY_MANAGEMENT_CONSULTING = ("safety_management_consulting", "安全管理咨询")
    EDUCATION_TRAINING = ("education_training", "教育培训")
    STANDARDISATION = ("standardisation", "安全生产标准化咨询/评审")
    RISK_CENSUS = ("risk_census", "风险普查")
    EMERGENCY_PLAN = ("emergency_plan", "应急预案编制与评估")
    SAFETY_EVALUATION = ("safety_evaluation", "安全评价")

    @property
    def is_long_running(self) -> bool:
        """Long-running services oblige an out-of-town agency to keep a local office (R6)."""
        return self in _LONG_RUNNING

    @property
    def is_province_managed(self) -> bool:
        """Safety evaluation agencies are admitted and managed by the province (R1, R9)."""
        return self is ServiceType.SAFETY_EVALUATION


_LONG_RUNNING = frozenset(
    {ServiceType.SAFETY_MANAGEMENT_CONSULTING, ServiceType.HAZARD_INVESTIGATION}
)
