package register

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"sort"
)

// The reference data ships in the binary (REG-1): the subjects of the Russian Federation and the
// tax offices whose 4-digit codes begin every TIN and КПП they assign.
var (
	//go:embed regions.csv
	regionsCSV []byte
	//go:embed offices.csv
	officesCSV []byte
)

var (
	regionNames     map[string]string
	embeddedOffices []Office
	officeIndex     map[string]Office
	officeCards     map[string]OfficeCard // REG-9: full name, address and time zone of each embedded office
)

func init() {
	regionNames = map[string]string{}
	for _, r := range mustCSV(regionsCSV, 2) {
		regionNames[r[0]] = r[1]
	}
	officeIndex = map[string]Office{}
	officeCards = map[string]OfficeCard{}
	cards, err := ParseOffices(bytes.NewReader(officesCSV))
	if err != nil || len(cards) == 0 {
		panic(fmt.Sprintf("register: embedded reference data: offices: %v", err)) // a build defect, caught by tests
	}
	for _, c := range cards {
		embeddedOffices = append(embeddedOffices, c.Office)
		officeIndex[c.Code] = c.Office
		officeCards[c.Code] = c
	}
	sort.Slice(embeddedOffices, func(i, j int) bool { return embeddedOffices[i].Code < embeddedOffices[j].Code })
}

func mustCSV(b []byte, cols int) [][]string {
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = cols
	recs, err := r.ReadAll()
	if err != nil || len(recs) < 2 {
		panic(fmt.Sprintf("register: embedded reference data: %v", err)) // a build defect, caught by tests
	}
	return recs[1:]
}

// EmbeddedOffices returns the tax offices shipped in the binary, by code.
func EmbeddedOffices() []Office { return append([]Office(nil), embeddedOffices...) }
