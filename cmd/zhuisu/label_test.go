package main

import (
	"bytes"
	"context"
	"image/png"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/zhuisu/zhuisu/label"
)

func readQRCode(t *testing.T, pngBytes []byte) string {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(pngBytes))
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("the label's QR code does not decode: %v", err)
	}
	return res.GetText()
}

func TestLabelsPointToThisNodeAndDecode(t *testing.T) {
	s := startServer(t, func(c *Config) { c.PublicURL = "https://trace.example.gov.cn" })
	resp, body := s.do(t, "GET", "/api/labels?format=png&code="+url.QueryEscape("(01)09521234543213(21)A1(17)261231"), "", nil, false)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("png label: %s %s", resp.Status, body)
	}
	if got, want := readQRCode(t, body), "https://trace.example.gov.cn/01/09521234543213/21/A1?17=261231"; got != want {
		t.Fatalf("QR carries %q, want %q", got, want)
	}
	resp, body = s.do(t, "GET", "/api/labels?format=svg&code=91350100M000100Y43", "", nil, false)
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte("<svg")) || !bytes.Contains(body, []byte("91350100M000100Y43")) {
		t.Fatalf("svg label: %s %.200s", resp.Status, body)
	}
	resp, body = s.do(t, "GET", "/api/labels?code=9521234543214", "", nil, false)
	if resp.StatusCode != 400 || !strings.Contains(string(body), "check digit") {
		t.Fatalf("a bad code: %s %s", resp.Status, body)
	}
	resp, body = s.do(t, "POST", "/api/codes/issue", "application/json", []byte(`{"scheme":"gs1","gtin":"09521234543213","count":30}`), true)
	if resp.StatusCode != 201 {
		t.Fatalf("issue: %s %s", resp.Status, body)
	}
	id := string(bytes.Split(bytes.Split(body, []byte(`"issuance":"`))[1], []byte(`"`))[0])
	resp, body = s.do(t, "GET", "/api/labels?format=pdf&issuance="+id, "", nil, false)
	if _, ok := label.FindCJKFont(); !ok {
		t.Logf("no CJK font: the sheet of issued codes is %s", resp.Status)
		return
	}
	if resp.StatusCode != 200 || !bytes.HasPrefix(body, []byte("%PDF-")) || bytes.Count(body, []byte("/Type /Page\n")) != 2 {
		t.Fatalf("pdf sheet of 30 issued codes: %s, %d pages", resp.Status, bytes.Count(body, []byte("/Type /Page\n")))
	}
	if _, err := exec.LookPath("pdftotext"); err == nil {
		cmd := exec.Command("pdftotext", "-", "-")
		cmd.Stdin = bytes.NewReader(body)
		text, err := cmd.Output()
		if err != nil || !strings.Contains(string(text), "(01)09521234543213(21)30") {
			t.Fatalf("pdftotext: %v; the sheet lacks the 30th code:\n%.500s", err, text)
		}
	}
	if resp, _ := s.do(t, "GET", "/api/labels?format=pdf&issuance=none", "", nil, false); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("an unknown issuance: %s", resp.Status)
	}
}

func TestLabelCommandWritesAPNG(t *testing.T) {
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"label", "-public-url", "https://t.example", "urn:epc:id:sgtin:9521234.054321.7"}, &out, &errb); err != nil {
		t.Fatalf("label: %v %s", err, errb.String())
	}
	if got := readQRCode(t, out.Bytes()); got != "https://t.example/01/09521234543213/21/7" {
		t.Fatalf("QR carries %q", got)
	}
}
