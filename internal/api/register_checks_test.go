package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// TestRegisterChecksAPI: the register's checks as an API client meets them: a СНИЛС of another
// person is held for review without a word of that person's record (REG-3), deregistration takes
// a date and happens once (REG-6, REG-7), and the reference data and single-line fields refuse
// bad values with the field named in both languages.
func TestRegisterChecksAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClient(t, db)
		withSNILS := strings.Replace(person, `"ground"`, `"snils":"112-233-445 95","ground"`, 1)
		code, body := c.do("POST", "/api/v1/persons", "/api/v1/persons", withSNILS)
		if code != 201 {
			t.Fatalf("create: %d %v", code, body)
		}
		tinStr, regOn := body["tin"].(string), body["registered_on"].(string)
		// Another person — name, birth date, passport — with the first one's СНИЛС: 202, and
		// nothing of the first one's record in the answer.
		other := strings.NewReplacer("Соколова", "Белова", "Елена", "Ирина", "1985-04-12", "1979-11-02", `"series":"4510"`, `"series":"4603"`,
			`"number":"123456"`, `"number":"700001"`, "2005-05-20", "1999-12-01", "Ленинский проспект", "улица Вавилова").Replace(withSNILS)
		code, body = c.do("POST", "/api/v1/persons", "/api/v1/persons", other)
		raw, _ := json.Marshal(body)
		if code != 202 || body["status"] != "pending_review" || body["tin"] != nil || body["person"] != nil {
			t.Fatalf("SNILS of another person: %d %s", code, raw)
		}
		for _, secret := range []string{"4510", "123456", "Соколова", "Елена", "1985-04-12", "Ленинский"} {
			if strings.Contains(string(raw), secret) {
				t.Fatalf("the answer shows %q of the other person's record: %s", secret, raw)
			}
		}
		if cands, _ := body["candidates"].([]any); len(cands) != 1 || cands[0] != tinStr {
			t.Fatalf("candidates: %s", raw)
		}
		// A different person cannot have that СНИЛС: the decision is refused, naming the field.
		decision := fmt.Sprintf("/api/v1/reviews/%d/decision", int64(body["review_id"].(float64)))
		if code, body := c.do("POST", decision, "/api/v1/reviews/{id}/decision", `{"same_as":""}`); code != 409 || fieldsOf(body)["snils"] == "" {
			t.Fatalf("a different person with the SNILS on record: %d %v", code, body)
		}
		// BO-3: the application is refused with a reason instead; no TIN is assigned.
		for req, field := range map[string]string{`{"decision":"refused"}`: "refusal_reason", `{"decision":"no"}`: "decision",
			`{"decision":"refused","refusal_reason":"x","same_as":"` + tinStr + `"}`: "same_as", `{"decision":"same"}`: "same_as"} {
			if code, body := c.do("POST", decision, "/api/v1/reviews/{id}/decision", req); code != 422 || fieldsOf(body)[field] == "" {
				t.Errorf("%s: %d %v, want 422 on %s", req, code, body, field)
			}
		}
		code, body = c.do("POST", decision, "/api/v1/reviews/{id}/decision", `{"decision":"refused","refusal_reason":"указан СНИЛС другого лица"}`)
		if code != 200 || body["status"] != "refused" || body["refusal_reason"] != "указан СНИЛС другого лица" || body["tin"] != nil || body["result_tin"] != nil {
			t.Fatalf("refused: %d %v", code, body)
		}
		if code, body := c.do("GET", "/api/v1/reviews?status=refused", "/api/v1/reviews", ""); code != 200 || len(body["items"].([]any)) != 1 {
			t.Fatalf("refused reviews: %d %v", code, body)
		}
		if code, body := c.do("POST", decision, "/api/v1/reviews/{id}/decision", `{"decision":"refused","refusal_reason":"ещё раз"}`); code != 409 {
			t.Fatalf("refused twice: %d %v", code, body)
		}

		fieldErr := func(name, method, path, tmpl, req, field string) {
			t.Helper()
			code, body := c.do(method, path, tmpl, req)
			f := fieldsOf(body)
			en, ru, _ := strings.Cut(f[field], " | ")
			if code != 422 || en == "" || ru == "" || strings.Contains(en+ru, "register.") || strings.Contains(en+ru, "field.") {
				t.Errorf("%s: %d, want 422 on %s with its reason in English and Russian: %v", name, code, field, body)
			}
		}
		// Deregistration: the date is required, not before birth, and it happens once.
		dereg := "/api/v1/taxpayers/" + tinStr + "/deregistration"
		const deregTmpl = "/api/v1/taxpayers/{tin}/deregistration"
		fieldErr("no date", "POST", dereg, deregTmpl, `{"reason":"moved"}`, "on")
		fieldErr("before birth", "POST", dereg, deregTmpl, `{"reason":"moved","on":"1900-01-01"}`, "on")
		code, body = c.do("POST", dereg, deregTmpl, `{"reason":"moved","on":"`+regOn+`"}`)
		if code != 200 || body["status"] != "deregistered" {
			t.Fatalf("deregistration: %d %v", code, body)
		}
		hist := body["history"].([]any)
		if last, _ := json.Marshal(hist[len(hist)-1]); !strings.Contains(string(last), `"field":"on"`) {
			t.Fatalf("the date is not in the history: %s", last)
		}
		if code, body = c.do("POST", dereg, deregTmpl, `{"reason":"other","on":"`+regOn+`"}`); code != 409 {
			t.Fatalf("deregistered twice: %d %v", code, body)
		}

		// Reference data and single-line fields.
		persons := "/api/v1/persons"
		fieldErr("citizenship not in OKSM", "POST", persons, persons, strings.Replace(person, `"RUS"`, `"XYZ"`, 1), "citizenship")
		fieldErr("Russian passport of a foreigner", "POST", persons, persons, strings.Replace(person, `"RUS"`, `"DEU"`, 1), "identity_document.type")
		fieldErr("passport issued in 2999", "POST", persons, persons, strings.Replace(person, "2005-05-20", "2999-01-01", 1), "identity_document.issued_on")
		fieldErr("passport at 4", "POST", persons, persons, strings.Replace(person, "2005-05-20", "1989-06-01", 1), "identity_document.issued_on")
		fieldErr("line break in the city", "POST", persons, persons, strings.Replace(person, `"city":"Москва"`, `"city":"Мос\nква"`, 1), "address.city")
		fieldErr("ESC in the street", "POST", persons, persons, strings.Replace(person, `"Ленинский проспект"`, `"Ленинский\u001b[2J"`, 1), "address.street")
		foreign := `{"identification":{"name_ru":"Дойче Машинен","name_latin":"Deutsche Maschinen","country":"Германия","oksm":"276","reg_number":"HRB 7"},"tax_office":"7702","reason":"51"}`
		const foreignPath = "/api/v1/foreign-organizations"
		fieldErr("OKSM 999", "POST", foreignPath, foreignPath, strings.Replace(foreign, `"276"`, `"999"`, 1), "identification.oksm")
		fieldErr("country of another code", "POST", foreignPath, foreignPath, strings.Replace(foreign, "Германия", "Франция", 1), "identification.country")
		fieldErr("KPP reason XX", "POST", foreignPath, foreignPath, strings.Replace(foreign, `"51"`, `"XX"`, 1), "reason")
		if code, body := c.do("POST", foreignPath, foreignPath, strings.Replace(foreign, "Германия", "Germany", 1)); code != 201 {
			t.Fatalf("the English name of the country: %d %v", code, body)
		}
	})
}
