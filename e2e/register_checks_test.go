package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// The errors of the register's checks as an inspector meets them in the back office's forms,
// in Russian and in English: each on its own field, marked for assistive technology, with what
// was typed kept.

// checkTexts are the words of each check's message in one language.
type checkTexts struct {
	endBeforeBirth, endFuture, already        string
	issuedBeforeBirth, passportAge, issuedFu  string
	citizenshipUnknown, docNotForeign         string
	citizenshipDocument                       string
	oksmUnknown, countryOKSM, reasonForeign   string
	control, controlCity                      string
	summary                                   string
	confirmTitle, staysApplied, stopsApplying string
	stopTitle, notApplied, citizenship        string
}

var checkMessages = map[string]checkTexts{
	"ru": {
		endBeforeBirth:      "Дата снятия с учёта не может быть раньше даты рождения (14.03.1980)",
		endFuture:           "Дата снятия с учёта не может быть в будущем",
		already:             "уже снят с учёта",
		issuedBeforeBirth:   "Документ не может быть выдан раньше даты рождения (12.04.1985)",
		passportAge:         "Паспорт гражданина России выдаётся с 14 лет: дата выдачи не может быть раньше 12.04.1999",
		issuedFu:            "Дата выдачи документа не может быть в будущем",
		citizenshipUnknown:  "страны с кодом XYZ нет в ОКСМ",
		docNotForeign:       "«паспорт гражданина Российской Федерации» не выдаётся иностранному гражданину",
		citizenshipDocument: "Гражданство не подходит к текущему документу",
		oksmUnknown:         "Кода 999 нет в ОКСМ",
		countryOKSM:         "Страна регистрации «Франция» не совпадает с кодом ОКСМ 276 — это Германия",
		reasonForeign:       "Код причины постановки на учёт 01 не применяется к иностранной организации; допустимы: 50–99",
		control:             "Поле «Улица» содержит управляющий символ или перевод строки",
		controlCity:         "Поле «Город, населённый пункт» содержит управляющий символ",
		summary:             "Исправьте ошибки",
		confirmTitle:        "Подтвердите снятие с учёта",
		staysApplied:        "ИНН продолжит применяться; налогоплательщик будет снят с учёта в этом налоговом органе.",
		stopsApplying:       "ИНН перестанет применяться навсегда и никогда не будет присвоен другому лицу. Отменить это действие нельзя.",
		stopTitle:           "Прекращение применения ИНН",
		notApplied:          "не подлежит применению",
		citizenship:         "Россия",
	},
	"en": {
		endBeforeBirth:      "The date of deregistration cannot be before the birth date (1980-03-14)",
		endFuture:           "The date of deregistration cannot be in the future",
		already:             "is already deregistered",
		issuedBeforeBirth:   "The document cannot have been issued before the birth date (1985-04-12)",
		passportAge:         "A Russian passport is issued from the age of 14: the date of issue cannot be before 1999-04-12",
		issuedFu:            "The date of issue of the document cannot be in the future",
		citizenshipUnknown:  "there is no country with the code XYZ in OKSM",
		docNotForeign:       "“Russian passport” is not issued to a foreign citizen",
		citizenshipDocument: "The citizenship does not fit the current document",
		oksmUnknown:         "Code 999 is not in OKSM",
		countryOKSM:         "does not match OKSM code 276, which is Germany",
		reasonForeign:       "Reason code 01 does not apply to a foreign organization; allowed: 50–99",
		control:             "Street contains a control character or a line break",
		controlCity:         "City or town contains a control character",
		summary:             "Please correct the marked fields",
		confirmTitle:        "Confirm the deregistration",
		staysApplied:        "The TIN stays applied; the taxpayer is deregistered at this tax office.",
		stopsApplying:       "The TIN will stop being applied for ever and will never be given to anyone else. This cannot be undone.",
		stopTitle:           "Stop applying the TIN",
		notApplied:          "not applied",
		citizenship:         "Russia",
	},
}

// dated is the date d days from today, as a date field holds it.
func dated(d int) string { return time.Now().AddDate(0, 0, d).Format(time.DateOnly) }

// REG-6, REG-7: the date of a deregistration is checked (not before birth, not in the future) on
// its field before the confirmation of what cannot be undone is shown; a registration that has
// ended is not offered for deregistration again, and a stale form that tries is refused with the
// reason; a deregistered person may still die (the TIN stops being applied), after the same
// confirmation. ОКСМ: the citizenship is named, not coded. REG-3: a document's date of issue (not before
// birth, a Russian passport not before 14, not in the future), the citizenship against ОКСМ and
// against the document. REG-8: the ОКСМ code, the country against its code, the KPP reason
// against the kind. Every single-line field: no line break or control character.
func TestRegisterCheckErrors(t *testing.T) {
	a := startApp(t, storetest.SQLite(t))
	ctx := browser(t)
	login(t, ctx, a, "ivanova", "inspector-password")
	for i, lang := range []string{"ru", "en"} {
		m := checkMessages[lang]
		t.Run(lang, func(t *testing.T) {
			// Deregistration dates: before birth, then in the future; both on the date field, the
			// reason, date and basis kept, the record unchanged.
			tinA := register1(t, a, personIn("Зимина", []string{"Вера", "Лидия"}[i], "61000"+string(rune('0'+i))))
			page := "/office/taxpayers/" + tinA
			inLang(t, ctx, a, lang, page, "#deregister")
			// deregister fills the form and submits it; a confirmation, when asked, must say
			// what follows for the reason, and is confirmed. It reports whether one was asked.
			deregister := func(reason, on string) bool {
				t.Helper()
				fill(t, ctx, map[string]string{"reason": reason, "on": on, "deregister_note": "заявление № 12"})
				run(t, ctx, submit("#deregister"))
				if attr(t, ctx, `String(document.querySelectorAll("#confirm").length)`) != "1" {
					return false
				}
				has(t, ctx, "h1", m.confirmTitle)
				has(t, ctx, ".warning", map[string]string{"moved": m.staysApplied, "death": m.stopsApplying}[reason])
				checkPage(t, ctx, "confirm-deregister-"+reason+"-"+lang)
				run(t, ctx, submit("#confirm"))
				return true
			}
			has(t, ctx, "#citizenship", m.citizenship)
			if deregister("moved", "1970-01-01") {
				t.Error("a confirmation was asked for a deregistration dated before the birth")
			}
			fieldError(t, ctx, "on", m.endBeforeBirth)
			kept(t, ctx, map[string]string{"reason": "moved", "on": "1970-01-01", "deregister_note": "заявление № 12"})
			notInvalid(t, ctx, "reason")
			checkPage(t, ctx, "deregister-before-birth-"+lang)
			// A death dated tomorrow or before the birth: refused on the date's field before the
			// confirmation that the TIN stops being applied for ever.
			if deregister("death", dated(1)) {
				t.Error("the irreversible confirmation was asked for a death dated tomorrow")
			}
			fieldError(t, ctx, "on", m.endFuture)
			kept(t, ctx, map[string]string{"reason": "death", "on": dated(1)})
			if deregister("death", "1970-01-01") {
				t.Error("the irreversible confirmation was asked for a death before the birth")
			}
			fieldError(t, ctx, "on", m.endBeforeBirth)
			kept(t, ctx, map[string]string{"reason": "death", "on": "1970-01-01", "deregister_note": "заявление № 12"})
			if tp, err := a.reg.Taxpayer(context.Background(), tinA); err != nil || tp.Status != register.StatusActive {
				t.Fatalf("after the refused dates: %+v %v", tp, err)
			}

			// Deregistered once; a second tab still shows the form, and its deregistration is
			// refused with the reason; the page no longer offers it.
			stale, closeStale := chromedp.NewContext(ctx)
			defer closeStale()
			visit(t, stale, a.url+page, "#deregister")
			if !deregister("moved", dated(0)) {
				t.Fatal("deregistered without a confirmation")
			}
			has(t, ctx, "#status", map[string]string{"ru": "снят с учёта", "en": "deregistered"}[lang])
			// Deregistered (moved), the person may only stop being applied: death alone is offered.
			if got := reasonsOffered(t, ctx); len(got) != 1 || got[0] != "death" {
				t.Fatalf("a deregistered person is offered the reasons %v, want death alone", got)
			}
			has(t, ctx, "#deregister-title", m.stopTitle)
			fill(t, stale, map[string]string{"reason": "moved", "on": dated(0)})
			run(t, stale, submit("#deregister"))
			if attr(t, stale, `String(document.querySelectorAll("#confirm").length)`) == "1" {
				run(t, stale, submit("#confirm"))
			}
			has(t, stale, "#problem", m.already)
			has(t, stale, "#problem", tinA)
			if n := attr(t, stale, `String(document.querySelectorAll("#confirm").length)`); n != "0" {
				t.Fatal("the refused deregistration was offered for confirmation")
			}
			if got := reasonsOffered(t, stale); len(got) != 1 || got[0] != "death" {
				t.Fatalf("after the refusal the page offers %v, want death alone", got)
			}
			checkPage(t, stale, "deregister-twice-"+lang)
			closeStale()
			// The deregistered person dies: the same checks and confirmation, then not applied.
			if deregister("death", dated(2)) {
				t.Error("the irreversible confirmation was asked for a death in the future")
			}
			fieldError(t, ctx, "on", m.endFuture)
			if !deregister("death", dated(0)) {
				t.Fatal("death of a deregistered person without a confirmation")
			}
			has(t, ctx, "#status", m.notApplied)
			if n := attr(t, ctx, `String(document.querySelectorAll("#deregister-form, #duplicate-form").length)`); n != "0" {
				t.Fatal("a TIN that is not applied is offered an ending")
			}

			// Dates of issue of a passport: before birth, at the age of 4, in 2999.
			person := map[string]string{}
			for k, v := range sokolova {
				person[k] = v
			}
			for date, want := range map[string]string{"1980-01-01": m.issuedBeforeBirth, "1989-06-01": m.passportAge, "2999-01-01": m.issuedFu} {
				person["document_issued_on"] = date
				fillPerson(t, ctx, a, person, sokolovaSelects)
				fieldError(t, ctx, "document_issued_on", want)
				kept(t, ctx, map[string]string{"document_issued_on": date, "document_number": "123456", "surname": "Соколова", "document_type": "passport_ru"})
				notInvalid(t, ctx, "birth_date", "document_number", "citizenship")
			}
			checkPage(t, ctx, "person-passport-issued-"+lang)
			person["document_issued_on"] = "2005-05-20"

			// A citizenship that is no country; a real one that does not hold a Russian passport.
			person["citizenship"] = "XYZ"
			fillPerson(t, ctx, a, person, sokolovaSelects)
			fieldError(t, ctx, "citizenship", m.citizenshipUnknown)
			kept(t, ctx, map[string]string{"citizenship": "XYZ"})
			person["citizenship"] = "DEU"
			fillPerson(t, ctx, a, person, sokolovaSelects)
			fieldError(t, ctx, "document_type", m.docNotForeign)
			kept(t, ctx, map[string]string{"citizenship": "DEU", "document_type": "passport_ru"})
			notInvalid(t, ctx, "citizenship")
			person["citizenship"] = "RUS"

			// A line break (which no text field can hold, so sent as a form would by script) and
			// a tab in the address.
			run(t, ctx, chromedp.Navigate(a.url+"/office/persons/new"), chromedp.WaitVisible(chromedp.CSS("#surname")))
			fill(t, ctx, person)
			fill(t, ctx, sokolovaSelects)
			fill(t, ctx, map[string]string{"city": "Моск\tва"})
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
				const s = document.getElementById("street"), ta = document.createElement("textarea");
				ta.name = s.name; ta.id = s.id; ta.value = "Ленинский\nпроспект"; s.replaceWith(ta); return true; })()`)); err != nil {
				t.Fatal(err)
			}
			run(t, ctx, submit("#submit"))
			fieldError(t, ctx, "street", m.control)
			fieldError(t, ctx, "city", m.controlCity)
			if v := attr(t, ctx, `document.getElementById("street").getAttribute("value")`); v != "Ленинский\nпроспект" {
				t.Errorf("the street sent is not kept: %q", v)
			}
			kept(t, ctx, map[string]string{"city": "Моск\tва", "surname": "Соколова"})
			has(t, ctx, ".error-summary", m.summary)
			checkPage(t, ctx, "person-control-"+lang)

			// A new document in the edit form, issued in 2999; then a citizenship that does not
			// fit the current Russian passport.
			tinB := register1(t, a, personIn("Зимина", []string{"Нина", "Ольга"}[i], "62000"+string(rune('0'+i))))
			visit(t, ctx, a.url+"/office/taxpayers/"+tinB+"/edit", "#document_type")
			fill(t, ctx, map[string]string{"document_type": "passport_ru", "document_series": "7010", "document_number": "630001", "document_issued_on": "2999-01-01"})
			run(t, ctx, submit("#save"))
			fieldError(t, ctx, "document_issued_on", m.issuedFu)
			kept(t, ctx, map[string]string{"document_series": "7010", "document_number": "630001", "document_issued_on": "2999-01-01"})
			visit(t, ctx, a.url+"/office/taxpayers/"+tinB+"/edit", "#citizenship")
			fill(t, ctx, map[string]string{"citizenship": "DEU"})
			run(t, ctx, submit("#save"))
			fieldError(t, ctx, "citizenship", m.citizenshipDocument)
			kept(t, ctx, map[string]string{"citizenship": "DEU"})
			checkPage(t, ctx, "edit-citizenship-"+lang)
			// The new passport, issued on a good date: the history words the change.
			fill(t, ctx, map[string]string{"citizenship": "RUS", "document_type": "passport_ru", "document_series": "7010", "document_number": "63000" + string(rune('1'+i)),
				"document_issued_on": "2020-02-03"})
			fill(t, ctx, map[string]string{"snils": []string{"112-233-445 95", "204-163-857 34"}[i]})
			run(t, ctx, submit("#save"))
			has(t, ctx, "#history", map[string]string{"ru": "паспорт гражданина Российской Федерации 7004 62000" + string(rune('0'+i)) + " → паспорт гражданина Российской Федерации 7010 63000" + string(rune('1'+i)),
				"en": "Russian passport 7004 62000" + string(rune('0'+i)) + " → Russian passport 7010 63000" + string(rune('1'+i))}[lang])
			has(t, ctx, "#history", []string{"112-233-445 95", "204-163-857 34"}[i])
			if lang == "ru" {
				noCodes(t, ctx, "taxpayer-new-passport-ru")
			}

			// A foreign organization: a code that is in no classifier, a country that is not its
			// code's, a KPP reason of a Russian organization.
			alpha := map[string]string{"identification_name_ru": "Бета Гезельшафт мит бешренктер Хафтунг", "identification_name_latin": "Beta GmbH",
				"identification_country": "Германия", "identification_oksm": "999", "identification_reg_number": "HRB 5" + lang,
				"region": "77", "city": "Москва", "street": "Тверская ул.", "house": "7"}
			fillForm(t, ctx, a.url+"/office/foreign/new", "kio", alpha)
			fieldError(t, ctx, "identification_oksm", m.oksmUnknown)
			kept(t, ctx, map[string]string{"identification_oksm": "999", "identification_name_latin": "Beta GmbH"})
			notInvalid(t, ctx, "identification_country")
			alpha["identification_oksm"], alpha["identification_country"] = "276", "Франция"
			fillForm(t, ctx, a.url+"/office/foreign/new", "kio", alpha)
			fieldError(t, ctx, "identification_country", m.countryOKSM)
			kept(t, ctx, map[string]string{"identification_country": "Франция", "identification_oksm": "276"})
			notInvalid(t, ctx, "identification_oksm")
			checkPage(t, ctx, "foreign-country-"+lang)
			alpha["identification_country"], alpha["reason"] = "Германия", "01"
			fillForm(t, ctx, a.url+"/office/foreign/new", "kio", alpha)
			fieldError(t, ctx, "reason", m.reasonForeign)
			kept(t, ctx, map[string]string{"reason": "01", "identification_country": "Германия"})
			if list, err := a.reg.Search(context.Background(), register.SearchFilter{Query: "Beta GmbH"}); err != nil || len(list) != 0 {
				t.Fatalf("a refused foreign organization was registered: %+v %v", list, err)
			}
			if lang == "ru" { // the log of it all, every action and detail by its label
				visit(t, ctx, a.url+"/office/audit", "#audit")
				has(t, ctx, "#audit", "снятие с учёта")
				has(t, ctx, "#audit", "Дата: "+time.Now().Format("02.01.2006")) // the date of the deregistration as pages write dates
				noCodes(t, ctx, "audit-ru")
				visit(t, ctx, a.url+"/office/taxpayers/"+tinA, "#history")
				noCodes(t, ctx, "taxpayer-deregistered-ru")
			}
		})
	}
}

// The journeys of the back office in English: changing a person's birth date, sex, SNILS and
// passport (the old one stays on record), registering an organization on a further ground
// (KPP) with its errors, marking a duplicate and deciding reviews (the same person, a different
// one, and one held because its SNILS is another person's), each irreversible step after a
// confirmation that says what follows.
func TestEnglishJourneys(t *testing.T) {
	a := startApp(t, storetest.SQLite(t))
	kept1 := register1(t, a, personIn("Лебедева", "Ольга", "333333"))
	dup := register1(t, a, personIn("Лебедева", "Анна", "333334"))
	org := organization(t, a, "Общество с ограниченной ответственностью «Северное сияние»", "ООО «Северное сияние»", "102780000005", "7801")
	ctx := browser(t)
	login(t, ctx, a, "ivanova", "inspector-password")

	// Editing a person.
	inLang(t, ctx, a, "en", "/office/taxpayers/"+kept1+"/edit", "#birth_date")
	has(t, ctx, "h1", "Change data, TIN")
	checkPage(t, ctx, "edit-person-en")
	fill(t, ctx, map[string]string{"birth_date": "1980-03-15", "sex": "male", "snils": "112-233-445 95", "document_type": "passport_ru",
		"document_series": "7025", "document_number": "444444", "document_issued_on": "2025-03-20", "note": "marriage certificate"})
	run(t, ctx, submit("#save"))
	has(t, ctx, ".flash", "Data changed; the TIN stays")
	has(t, ctx, "#tin", kept1)
	has(t, ctx, "#snils", "112-233-445 95")
	docs := text(t, ctx, "#documents")
	for _, want := range []string{"Russian passport 7025 444444, issued 20.03.2025", "Russian passport 7004 333333", "(previous)"} {
		if !strings.Contains(docs, want) {
			t.Errorf("documents %q lack %q", docs, want)
		}
	}
	if strings.Index(docs, "7025 444444") > strings.Index(docs, "7004 333333") {
		t.Errorf("the old passport is listed first: %q", docs)
	}
	hist := text(t, ctx, "#history")
	for _, want := range []string{"14.03.1980 → 15.03.1980", "female → male", "SNILS: 112-233-445 95", "marriage certificate",
		"Identity document: Russian passport 7004 333333 → Russian passport 7025 444444"} {
		if !strings.Contains(hist, want) {
			t.Errorf("history %q lacks %q", hist, want)
		}
	}
	if strings.Contains(hist, "passport_ru") {
		t.Errorf("the history shows a document type's code: %q", hist)
	}
	checkPage(t, ctx, "taxpayer-edited-en")

	// A further ground of the organization: the subdivision's name is required; a new location
	// must be under another office; then a KPP is assigned.
	inLang(t, ctx, a, "en", "/office/taxpayers/"+org, "#kpp-form")
	has(t, ctx, "#kpp-title", "Register on a ground (KPP)")
	fill(t, ctx, map[string]string{"kpp_ground": "subdivision"})
	run(t, ctx, submit("#kpp-submit"))
	fieldError(t, ctx, "subdivision", "Name the separate subdivision")
	kept(t, ctx, map[string]string{"kpp_ground": "subdivision", "kpp_office": "7801"})
	fill(t, ctx, map[string]string{"kpp_ground": "new_location", "kpp_office": "7801"})
	run(t, ctx, submit("#kpp-submit"))
	fieldError(t, ctx, "kpp_office", "A new location must fall under another tax office")
	checkPage(t, ctx, "kpp-errors-en")
	fill(t, ctx, map[string]string{"kpp_ground": "subdivision", "kpp_office": "7801", "subdivision": "Branch in Pushkin"})
	run(t, ctx, submit("#kpp-submit"))
	has(t, ctx, ".flash", "A KPP was assigned")
	has(t, ctx, "#kpps", "780143001")
	has(t, ctx, "#kpps", "separate subdivision")
	has(t, ctx, "#kpps", "Branch in Pushkin")
	// A new location under another office, with its address: the address is the KPP's; the
	// organization's own address stays as it was, and the history does not say it changed.
	orgAddress := text(t, ctx, "#address")
	if !strings.Contains(orgAddress, "Невский проспект, 1") {
		t.Fatalf("the organization's address: %q", orgAddress)
	}
	fill(t, ctx, map[string]string{"kpp_ground": "new_location", "kpp_office": "7802", "kpp_region": "98", "kpp_city": "Санкт-Петербург",
		"kpp_street": "Лиговский проспект", "kpp_house": "10"})
	run(t, ctx, submit("#kpp-submit"))
	fieldError(t, ctx, "kpp_region", "Region code 98 is not a known subject of the Russian Federation")
	kept(t, ctx, map[string]string{"kpp_ground": "new_location", "kpp_office": "7802", "kpp_street": "Лиговский проспект", "kpp_house": "10"})
	fill(t, ctx, map[string]string{"kpp_region": "78"})
	run(t, ctx, submit("#kpp-submit"))
	has(t, ctx, ".flash", "A KPP was assigned")
	if got := text(t, ctx, "#address"); got != orgAddress {
		t.Fatalf("a KPP at a new location changed the organization's address from %q to %q", orgAddress, got)
	}
	has(t, ctx, "#kpps", "780201001")
	has(t, ctx, "#kpps", "Санкт-Петербург, Лиговский проспект, 10")
	has(t, ctx, "#history", "Address of the KPP registration: 78, Санкт-Петербург, Лиговский проспект, 10")
	if h := text(t, ctx, "#history"); strings.Contains(h, "Address: ") {
		t.Fatalf("the history records a change of the organization's address: %q", h)
	}
	checkPage(t, ctx, "kpp-new-location-en")

	// A duplicate: the confirmation names both TINs and what follows; confirmed.
	inLang(t, ctx, a, "en", "/office/taxpayers/"+dup, "#kept_tin")
	fill(t, ctx, map[string]string{"kept_tin": kept1, "duplicate_note": "decision 7"})
	run(t, ctx, submit("#duplicate"))
	has(t, ctx, "h1", "Confirm marking the TIN as a duplicate")
	has(t, ctx, ".confirm", "TIN that stops being applied")
	has(t, ctx, ".confirm", dup+" — Лебедева Анна Петровна")
	has(t, ctx, ".confirm", kept1+" — Лебедева Ольга Петровна")
	has(t, ctx, ".warning", "TIN "+dup+" will stop being applied for ever and will point to TIN "+kept1+". This cannot be undone.")
	has(t, ctx, "#confirm", "Confirm: mark as duplicate")
	checkPage(t, ctx, "confirm-duplicate-en")
	run(t, ctx, submit("#confirm"))
	has(t, ctx, ".flash", "The TIN is marked duplicate and no longer applies")
	has(t, ctx, "#status", "not applied")
	has(t, ctx, "#kept", kept1)

	// Reviews: a namesake with another passport; an applicant with the SNILS of kept1.
	namesake := personIn("Лебедева", "Ольга", "555555")
	namesake.BirthDate = time.Date(1980, 3, 15, 0, 0, 0, 0, time.UTC)
	if res, err := a.reg.RegisterPerson(context.Background(), system, namesake); err != nil || res.Review == nil {
		t.Fatalf("no review for the namesake: %+v %v", res, err)
	}
	fillPerson(t, ctx, a, map[string]string{"surname": "Климова", "given_name": "Ирина", "birth_date": "1979-01-02", "birth_place": "г. Псков",
		"citizenship": "RUS", "snils": "112-233-445 95", "document_series": "5805", "document_number": "777777", "document_issued_on": "2001-02-03",
		"region": "60", "city": "Псков", "street": "Октябрьский проспект", "house": "3"},
		map[string]string{"sex": "female", "document_type": "passport_ru", "ground": "residence", "tax_office": "6001"})
	if p := attr(t, ctx, `location.pathname`); p != "/office/reviews" {
		t.Fatalf("the applicant with another's SNILS went to %s", p)
	}
	// Held because of the SNILS, not a namesake: the notice and the queue say both can be.
	has(t, ctx, ".flash", "partly match a record of the register (name and birth date, document or SNILS): the registration is held for review")
	has(t, ctx, "main", "or a document or SNILS on record for a person with another name or birth date")
	has(t, ctx, "h1", "Possible duplicates to review")
	cards := text(t, ctx, "main")
	for _, want := range []string{"Applicant", "Russian passport 7004 555555", "Russian passport 7025 444444", "Климова Ирина", "112-233-445 95", kept1} {
		if !strings.Contains(cards, want) {
			t.Errorf("the review cards lack %q", want)
		}
	}
	checkPage(t, ctx, "reviews-en")
	fits(t, ctx, "reviews-en")
	inLang(t, ctx, a, "ru", "/office/reviews", ".review")
	has(t, ctx, "main", "паспорт гражданина Российской Федерации 5805 777777")
	noCodes(t, ctx, "reviews-ru")
	checkPage(t, ctx, "reviews-ru")
	inLang(t, ctx, a, "en", "/office/reviews", ".review")

	// The namesake: "the same person" asked, cancelled; "a different person" confirmed.
	first := ".review:nth-of-type(1)"
	has(t, ctx, first, "7004 555555")
	run(t, ctx, submit(first+" .same"))
	has(t, ctx, "h1", "Confirm the decision")
	has(t, ctx, ".warning", "The applicant gets TIN "+kept1+"; no new TIN is assigned")
	has(t, ctx, "#confirm", "Confirm: the same person")
	checkPage(t, ctx, "confirm-review-same-en")
	run(t, ctx, submit("#cancel"))
	has(t, ctx, first, "7004 555555")
	run(t, ctx, submit(first+" .different"))
	has(t, ctx, ".warning", "The applicant gets a new TIN. If this is the same person, they will have two TINs.")
	has(t, ctx, "#confirm", "Confirm: a different person, assign a new TIN")
	checkPage(t, ctx, "confirm-review-different-en")
	run(t, ctx, submit("#confirm"))
	has(t, ctx, ".flash", "Registered; a TIN was assigned")
	if got := strings.TrimSpace(text(t, ctx, "#tin")); got == kept1 || len(got) != 12 {
		t.Fatalf("the different person got TIN %q", got)
	}

	// The applicant with kept1's SNILS: a different person cannot hold it; the same person can.
	visit(t, ctx, a.url+"/office/reviews", ".review")
	has(t, ctx, first, "Климова Ирина")
	run(t, ctx, submit(first+" .different"))
	run(t, ctx, submit("#confirm"))
	has(t, ctx, "#problem", "The SNILS is on record for another taxpayer")
	if n := attr(t, ctx, `String(document.querySelectorAll(".error-summary li, a[href='#snils']").length)`); n != "0" {
		t.Errorf("the refusal links to a field the queue does not have (%s links)", n)
	}
	has(t, ctx, first, "Климова Ирина")
	checkPage(t, ctx, "review-refused-en")
	run(t, ctx, submit(first+" .same"))
	has(t, ctx, ".warning", "The applicant gets TIN "+kept1)
	run(t, ctx, submit("#confirm"))
	has(t, ctx, "#tin", kept1)
	has(t, ctx, "#documents", "5805 777777")
	visit(t, ctx, a.url+"/office/reviews", "h1")
	has(t, ctx, "main", "Nothing to review")

	// BO-3: an applicant who gave kept1's passport under another name is neither kept1 nor may
	// have a TIN with it: the application is refused with a reason, after a confirmation.
	orlova := personIn("Орлова", "Дарья", "444444")
	orlova.Document.Series, orlova.BirthDate = "7025", time.Date(1985, 7, 8, 0, 0, 0, 0, time.UTC)
	held, err := a.reg.RegisterPerson(context.Background(), system, orlova)
	if err != nil || held.Review == nil {
		t.Fatalf("no review for another's passport: %+v %v", held, err)
	}
	card := fmt.Sprintf("#review-%d", held.Review.ID)
	reason := fmt.Sprintf("refusal_%d", held.Review.ID)
	visit(t, ctx, a.url+"/office/reviews", card)
	has(t, ctx, card, "Орлова Дарья")
	run(t, ctx, submit(card+" .refuse"))
	fieldError(t, ctx, reason, "Reason for refusal is required")
	if f := focused(t, ctx); f != reason {
		t.Errorf("the focus is on %q, want the reason", f)
	}
	fill(t, ctx, map[string]string{reason: "the passport of another person was given"})
	run(t, ctx, submit(card+" .refuse"))
	has(t, ctx, "h1", "Confirm the decision")
	has(t, ctx, ".confirm", "Орлова Дарья")
	has(t, ctx, ".confirm", "the passport of another person was given")
	has(t, ctx, ".warning", "No TIN is assigned to the applicant")
	has(t, ctx, "#confirm", "Confirm: refuse the application")
	checkPage(t, ctx, "confirm-review-refuse-en")
	run(t, ctx, submit("#confirm"))
	if p := attr(t, ctx, `location.pathname`); p != "/office/reviews" {
		t.Fatalf("after the refusal the browser is at %s", p)
	}
	has(t, ctx, ".flash", "The application is refused; no TIN was assigned")
	has(t, ctx, "main", "Nothing to review")
	if rv, err := a.reg.Review(context.Background(), held.Review.ID); err != nil || rv.Status != register.ReviewRefused ||
		rv.Reason != "the passport of another person was given" || rv.ResultTIN != "" {
		t.Fatalf("the refused review: %+v %v", rv, err)
	}
	if list, err := a.reg.Search(context.Background(), register.SearchFilter{Query: "Орлова Дарья"}); err != nil || len(list) != 0 {
		t.Fatalf("a refused applicant got a TIN: %+v %v", list, err)
	}
	visit(t, ctx, a.url+"/office/audit?action=person.review_decide", "#audit")
	has(t, ctx, "#audit", "Decision: refused; Reason for refusal: the passport of another person was given")
}
