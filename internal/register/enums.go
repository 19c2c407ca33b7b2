package register

// Enumerations lists every enumerated value the register records, by the name of its
// enumeration, so that each can be given a label (the catalogue's "enum.<name>.<code>") and a
// test can check that none lacks one and no page shows a code.
func Enumerations() map[string][]string {
	return map[string][]string{
		"kind":          {string(KindPerson), string(KindOrganization), string(KindForeign)},
		"status":        {string(StatusActive), string(StatusDeregistered), string(StatusNotApplied)},
		"sex":           {string(Male), string(Female)},
		"person_ground": {string(GroundResidence), string(GroundStay), string(GroundProperty), string(GroundIncomeSource), string(GroundChoice)},
		"org_ground":    {string(GroundCreation), string(GroundReorganization), string(GroundInternationalCompany)},
		"kpp_ground":    {string(KPPLocation), string(KPPNewLocation), string(KPPSubdivision), string(KPPProperty), string(KPPOther)},
		"end_reason": {string(EndDeath), string(EndLiquidation), string(EndReorganization), string(EndRedomiciled), string(EndDuplicate),
			string(EndMoved), string(EndOther)},
		"document_type": DocumentTypes,
		"review":        {string(ReviewPending), string(ReviewSame), string(ReviewDifferent), string(ReviewRefused)},
		"history":       HistoryActions,
		"audit":         AuditActions,
	}
}

// HistoryActions are the kinds of entries of a taxpayer's history (REG-6).
var HistoryActions = []string{"registered", "updated", "kpp_assigned", "deregistered", "not_applied", "duplicate_of", "duplicate_kept",
	"document_added", "kio_changed"}

// AuditActions are the register's actions in the audit log (BO-5).
var AuditActions = []string{"person.register", "person.review", "person.review_decide", "organization.register", "foreign.register",
	"kio.create", "kio.reuse", "kio.update", "taxpayer.update", "taxpayer.kpp_assign", "taxpayer.extract", "taxpayer.duplicate",
	"taxpayer.deregister", "office.add"}
