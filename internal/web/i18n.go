package web

import (
	"fmt"
	"maps"

	"github.com/kabinet/kabinet/internal/problem"
)

// Catalog maps message keys to their Russian and English texts. Every visible string of a page
// comes from a catalog; a test checks that every key used by the templates has both texts.
type Catalog map[string][2]string

// Merge returns a catalog with the entries of all cs (later ones win).
func Merge(cs ...Catalog) Catalog {
	out := Catalog{}
	for _, c := range cs {
		maps.Copy(out, c)
	}
	return out
}

// T returns the text of key in lang, formatted with args; an unknown key is returned as is (and
// caught by the catalog test).
func (c Catalog) T(lang, key string, args ...any) string {
	v, ok := c[key]
	if !ok {
		return key
	}
	s := v[0]
	if lang == "en" {
		s = v[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Common is the catalog of the shared layout and error pages.
var Common = Catalog{
	"app.name":         {"kabinet", "kabinet"},
	"app.tagline":      {"Реестр налогоплательщиков", "Taxpayer register"},
	"lang.switch":      {"English", "Русский"},
	"lang.other":       {"en", "ru"},
	"nav.logout":       {"Выйти", "Log out"},
	"error.title":      {"Ошибка", "Error"},
	"error.404":        {"Страница не найдена", "Page not found"},
	"error.403":        {"Доступ запрещён", "Access denied"},
	"error.429":        {"Слишком много запросов, повторите позже", "Too many requests, try again later"},
	"error.500":        {"Внутренняя ошибка. Мы уже знаем о ней", "Internal error. It has been logged"},
	"error.request_id": {"Номер запроса", "Request id"},
	"error.home":       {"На главную", "Home"},
	"form.errors":      {"Исправьте ошибки в выделенных полях", "Please correct the marked fields"},
	"form.required":    {"обязательное поле", "required"},
	"footer.text":      {"kabinet — открытая система для налоговой службы", "kabinet — an open-source system for a tax administration"},
	"skip.content":     {"Перейти к содержанию", "Skip to content"},
}

// Text returns a problem message in lang.
func Text(m problem.Message, lang string) string { return m.In(lang) }
