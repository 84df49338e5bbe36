"""Search attributes the workflows upsert, so the Temporal UI can find any of them."""

from temporalio.common import SearchAttributeKey

COUNTY = SearchAttributeKey.for_keyword("AfCounty")
AGENCY = SearchAttributeKey.for_keyword("AfAgency")
ENTERPRISE = SearchAttributeKey.for_keyword("AfEnterprise")
STAGE = SearchAttributeKey.for_keyword("AfStage")
REPORT_DUE = SearchAttributeKey.for_datetime("AfReportDue")
OVERDUE = SearchAttributeKey.for_bool("AfOverdue")

ALL = (COUNTY, AGENCY, ENTERPRISE, STAGE, REPORT_DUE, OVERDUE)
