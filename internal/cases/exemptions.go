package cases

// Exemption is a ground in the Data Protection Act 2018 (Schedules 2 to 4)
// or UK GDPR for not giving a requester some of their data. Code is stable
// (it is stored on decisions and named in the API); Reference is the legal
// provision; Plain is how the response letter explains it to the
// requester, in our own words.
type Exemption struct {
	Code      string
	Reference string
	Title     string
	Plain     string
}

// Exemptions are the exemptions that can limit the right of access, in
// the order forms offer them. Codes are never reused or renamed: a decision
// made under one must still read the same years later.
var Exemptions = []Exemption{
	{"third_party", "UK GDPR Article 15(4); DPA 2018 Schedule 2 paragraph 16", "Information about other people",
		"Some information is about other people, who have not agreed to it being shared, and it would not be reasonable to share it without their agreement."},
	{"crime_taxation", "DPA 2018 Schedule 2 paragraph 2", "Crime and taxation",
		"Sharing some information would be likely to harm the prevention or detection of crime, the prosecution of offenders, or the collection of tax."},
	{"immigration", "DPA 2018 Schedule 2 paragraph 4", "Immigration",
		"Sharing some information would be likely to harm effective immigration control."},
	{"regulatory_functions", "DPA 2018 Schedule 2 paragraphs 7 to 9", "Regulatory functions",
		"Some information is held for a regulatory or supervisory function, and sharing it would be likely to harm that function."},
	{"judicial_appointments", "DPA 2018 Schedule 2 paragraph 14", "Judicial appointments and independence",
		"Some information concerns judicial appointments or the independence of judges and the courts, which the law protects from disclosure."},
	{"crown_honours", "DPA 2018 Schedule 2 paragraph 15", "Crown honours and dignities",
		"Some information was used in deciding on honours or dignities awarded by the Crown, which the law keeps confidential."},
	{"legal_privilege", "DPA 2018 Schedule 2 paragraph 19", "Legal professional privilege",
		"Some information is legal advice, or was prepared for legal proceedings, and is protected by legal privilege."},
	{"self_incrimination", "DPA 2018 Schedule 2 paragraph 20", "Self-incrimination",
		"Sharing some information would reveal evidence that we had committed an offence, which the law does not require us to do."},
	{"corporate_finance", "DPA 2018 Schedule 2 paragraph 21", "Corporate finance",
		"Some information relates to a corporate finance service, and sharing it could affect the price of financial instruments or important economic interests."},
	{"management_forecasts", "DPA 2018 Schedule 2 paragraph 22", "Management forecasts",
		"Some information is part of management planning or forecasting, and sharing it would be likely to harm the conduct of the business concerned."},
	{"negotiations", "DPA 2018 Schedule 2 paragraph 23", "Negotiations",
		"Some information records our intentions in negotiations with you, and sharing it would be likely to harm those negotiations."},
	{"confidential_references", "DPA 2018 Schedule 2 paragraph 24", "Confidential references",
		"Some information is a reference given in confidence about you, for education, training, employment, a voluntary role or an appointment."},
	{"exam_scripts", "DPA 2018 Schedule 2 paragraph 25", "Exam scripts",
		"Some information is your answers in an exam, which the law does not require us to give."},
	{"exam_marks", "DPA 2018 Schedule 2 paragraph 26", "Exam marks",
		"Some information is exam marks that have not yet been published; the law allows them to be given later than other information."},
	{"health_data", "DPA 2018 Schedule 3 Part 2", "Health data",
		"Some information is about your health, and a health professional has advised that sharing it would be likely to cause serious harm to your or someone else's physical or mental health."},
	{"social_work_data", "DPA 2018 Schedule 3 Part 3", "Social work data",
		"Some information is social work data, and sharing it would be likely to prejudice the work of social services by causing serious harm to you or someone else."},
	{"education_data", "DPA 2018 Schedule 3 Part 4", "Education data",
		"Some information is an education record, and sharing it would be likely to cause serious harm to you or someone else."},
	{"child_abuse_data", "DPA 2018 Schedule 3 paragraph 21", "Child abuse data",
		"Some information is about child abuse, and sharing it with the person asking would not be in the child's best interests."},
	{"statutory_restrictions", "DPA 2018 Schedule 4", "Disclosure prohibited or restricted by other laws",
		"Some information is in records that other laws keep confidential (such as adoption, parental order or special educational needs records)."},
}

// ExemptionByCode finds an exemption by its code.
func ExemptionByCode(code string) (Exemption, bool) {
	for _, e := range Exemptions {
		if e.Code == code {
			return e, true
		}
	}
	return Exemption{}, false
}
