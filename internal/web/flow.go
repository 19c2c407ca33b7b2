package web

import (
	"net/http"
	"time"

	"github.com/kabinet/kabinet/internal/flow"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/problem"
)

// FlowField describes one input of a flow's current step for a JSON client.
type FlowField struct {
	Name     string `json:"name"`
	Type     string `json:"type"` // text, password, email, tel, date, hidden, checkbox, file
	Required bool   `json:"required,omitempty"`
	Value    string `json:"value,omitempty"`
	Label    string `json:"label"`
	// LabelKey is the catalogue key of the label where a form names the field its own way (the
	// registration's «ФИО» for the name the register fills); the field's label ("field.<Name>")
	// when "".
	LabelKey string `json:"-"`
}

// FlowView is a flow as a JSON client sees it: where it is, what to send next, and what went
// wrong with the last submission.
type FlowView struct {
	ID        string         `json:"id"`
	Kind      string         `json:"kind"`
	State     string         `json:"state"`
	ExpiresAt time.Time      `json:"expires_at"`
	Action    string         `json:"action"`
	Method    string         `json:"method"`
	Fields    []FlowField    `json:"fields,omitempty"`
	Problem   *ProblemBody   `json:"problem,omitempty"`
	Result    map[string]any `json:"result,omitempty"` // what a finished flow hands over (a session token …)
}

// WriteFlowDone answers a JSON client whose flow has finished, with what it hands over.
func WriteFlowDone(w http.ResponseWriter, f *flow.Flow, result map[string]any) {
	WriteJSON(w, http.StatusOK, FlowView{ID: f.ID, Kind: f.Kind, State: f.State, ExpiresAt: f.ExpiresAt, Result: result})
}

// WriteFlow answers a JSON client with the flow's view; err, when set, is the problem of the last
// submission (its status is the answer's).
func WriteFlow(w http.ResponseWriter, r *http.Request, f *flow.Flow, action string, fields []FlowField, err error) {
	lang := Lang(r)
	v := FlowView{ID: f.ID, Kind: f.Kind, State: f.State, ExpiresAt: f.ExpiresAt, Action: action, Method: http.MethodPost, Fields: fields}
	for i := range v.Fields {
		v.Fields[i].Label = Label(lang, v.Fields[i].Name)
		if k := v.Fields[i].LabelKey; k != "" {
			v.Fields[i].Label = i18n.T(lang, k)
		}
		if v.Fields[i].Value == "" {
			v.Fields[i].Value = f.Data[v.Fields[i].Name]
		}
	}
	status := http.StatusOK
	if err != nil {
		p, ok := problem.As(err)
		if !ok || p.Code == problem.Internal {
			WriteProblem(w, r, nil, err)
			return
		}
		status = Status(p.Code)
		b := problemBody(r, p)
		v.Problem = &b
	}
	WriteJSON(w, status, v)
}
