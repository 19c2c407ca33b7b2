package extract

import (
	"bytes"
	"image"
	"image/color"
	"image/png"

	"github.com/boombuler/barcode/qr"
)

// QR codes on the extract (REG-9): the address of the public verification page, so that whoever
// holds the paper opens what the register says about it.

const (
	qrModule = 8 // pixels per module
	qrQuiet  = 4 // modules of white border, as the QR standard asks
)

// QRPNG returns a QR code of text as a PNG image, with its quiet zone, at error-correction
// level M (a stain or a fold on paper still reads).
func QRPNG(text string) ([]byte, error) {
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return nil, err
	}
	n := code.Bounds().Dx()
	side := (n + 2*qrQuiet) * qrModule
	img := image.NewGray(image.Rect(0, 0, side, side))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for y := range n {
		for x := range n {
			if c := color.GrayModel.Convert(code.At(x, y)).(color.Gray); c.Y < 0x80 {
				for dy := range qrModule {
					for dx := range qrModule {
						img.SetGray((x+qrQuiet)*qrModule+dx, (y+qrQuiet)*qrModule+dy, color.Gray{})
					}
				}
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
