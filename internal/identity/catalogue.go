package identity

// IDP-2 and IDP-5: the catalogue of services and the level each needs, and the service
// centres where an account is confirmed in person, searchable by city and by service.

// Service is a service of the catalogue.
type Service struct {
	ID       string
	Name     map[string]string // by language
	Agency   map[string]string
	Level    Level
	Audience string // who it is for: citizens, business, all
}

// Centre is a service centre (МФЦ, a post office, a bank office) that confirms accounts.
type Centre struct {
	ID       string
	Kind     string // mfc, post, bank
	Name     string
	City     string
	Address  string
	Services []string // what it does there: confirm, register, recover
	Hours    []string // opening hours, one line a day or a range of days ("Пн–Пт 9:00–20:00")
}
