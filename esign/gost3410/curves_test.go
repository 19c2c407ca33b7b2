package gost3410

import "testing"

// Every parameter set: the base point lies on the curve and has order q (q·G = ∞), and the
// cofactor times q is within the Hasse bound of p + 1.
func TestCurves(t *testing.T) {
	for _, c := range Curves() {
		if !c.IsOnCurve(c.X, c.Y) {
			t.Errorf("%s: base point not on the curve", c.Name)
		}
		if p := c.ladder(c.lift(c.X, c.Y), c.Q); p.z.Sign() != 0 {
			t.Errorf("%s: q·G is not infinity", c.Name)
		}
		if got, ok := CurveByOID(c.OID); !ok || got != c {
			t.Errorf("%s: CurveByOID", c.Name)
		}
		if c.P.BitLen() > 8*c.Size {
			t.Errorf("%s: size", c.Name)
		}
	}
}
