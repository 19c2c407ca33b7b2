package cabinet

import (
	"time"

	"github.com/kabinet/kabinet/internal/problem"
)

// LK-9: the demonstration account. The login 00000000000 with any password opens a read-only
// account with realistic data, so that anyone can see the personal account before asking for a
// card: nothing in it can be changed, and it touches no one's data.

// DemoLogin is the login of the demonstration account.
const DemoLogin = "00000000000"

// IsDemo reports whether a login (spaces removed) is the demonstration account's.
func IsDemo(login string) bool { return login == DemoLogin }

// ErrDemo refuses every change in the demonstration account.
var ErrDemo = problem.New(problem.Forbidden, problem.Msg("lk.demo.read_only"))

// DemoPerson is the demonstration account's taxpayer: a synthetic person with a valid TIN.
func DemoPerson() *Person {
	return &Person{TIN: "772800000159", Surname: "Демидова", GivenName: "Анна", Patronymic: "Сергеевна",
		BirthDate: time.Date(1987, 3, 14, 0, 0, 0, 0, time.UTC), SNILS: "11223344595", Office: "7728", Status: "active",
		RegisteredOn: time.Date(2003, 9, 2, 0, 0, 0, 0, time.UTC)}
}

// DemoAccount is the demonstration account as its pages show it at now: a card used long ago,
// online recovery switched on.
func DemoAccount(now time.Time) *Account {
	issued := now.AddDate(-2, -3, 0)
	return &Account{TIN: DemoPerson().TIN, Name: DemoPerson().FullName(), Source: FromCard, CardIssuedAt: issued, CardExpiresAt: issued.AddDate(0, 1, 0),
		PasswordSetAt: issued.Add(26 * time.Hour), Email: "anna.demidova@example.org", EmailConfirmed: true, Phone: "+79000000000", PhoneConfirmed: true,
		RecoveryOn: true, Lang: "ru", CreatedAt: issued, UpdatedAt: issued}
}

// DemoEvents is the demonstration account's history at now.
func DemoEvents(now time.Time) []Event {
	tin := DemoPerson().TIN
	ua := "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"
	return []Event{
		{TIN: tin, At: now.Add(-5 * time.Minute), Kind: "login", Address: "192.0.2.10", Device: ua},
		{TIN: tin, At: now.AddDate(0, 0, -3), Kind: "extract_issued", Address: "192.0.2.10", Device: ua},
		{TIN: tin, At: now.AddDate(0, 0, -3).Add(-time.Minute), Kind: "login", Address: "192.0.2.10", Device: ua},
		{TIN: tin, At: now.AddDate(0, -1, 0), Kind: "login_failed", Address: "198.51.100.7", Device: "Mozilla/5.0 (iPhone) Safari/604.1"},
		{TIN: tin, At: now.AddDate(-1, 0, 0), Kind: "recovery_on", Address: "192.0.2.10", Device: ua},
		{TIN: tin, At: now.AddDate(-2, -3, 1), Kind: "password_set", Address: "192.0.2.10", Device: ua},
		{TIN: tin, At: now.AddDate(-2, -3, 0), Kind: "card_issued", Actor: "inspector", ByStaff: true, Details: "office=7728"},
	}
}

// DemoNotifications is what the demonstration account was sent, at now.
func DemoNotifications(now time.Time) []Notification {
	return []Notification{
		{ID: "demo-2", At: now.AddDate(-1, 0, 0), Channel: "email", To: "anna.demidova@example.org", Key: "notify.lk.code", State: "sent", SentAt: now.AddDate(-1, 0, 0)},
		{ID: "demo-1", At: now.AddDate(-1, 0, 0), Channel: "sms", To: "+79000000000", Key: "notify.lk.code", State: "sent", SentAt: now.AddDate(-1, 0, 0)},
	}
}

// DemoCard is the demonstration account's card.
func DemoCard(now time.Time) Card {
	issued := now.AddDate(-2, -3, 0)
	return Card{ID: "demo", TIN: DemoPerson().TIN, Name: DemoPerson().FullName(), Office: "7728", IssuedAt: issued, ExpiresAt: issued.AddDate(0, 1, 0),
		IssuedBy: "inspector", Checked: []string{"passport"}, State: CardUsed, UsedAt: issued.Add(26 * time.Hour)}
}
