package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/zhuisu/zhuisu/codes"
	"github.com/zhuisu/zhuisu/label"
)

// cmdLabel renders labels for codes: one PNG or SVG label, or an A4 PDF sheet of all.
func cmdLabel(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("label", flag.ContinueOnError)
	format := fs.String("format", "png", "png or svg (one code), or pdf (a sheet of all the codes)")
	out := fs.String("o", "", "output file; empty: standard output")
	public := fs.String("public-url", envDefault("ZHUISU_PUBLIC_URL", "http://127.0.0.1:8080"), "the address the public reaches the node at; the QR codes point there")
	columns := fs.Int("columns", 3, "pdf: labels across")
	rows := fs.Int("rows", 8, "pdf: labels down")
	font := fs.String("font", "", "pdf: a CJK TrueType font; empty: look for fonts-wqy-microhei")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("usage: zhuisu label [-format png|svg|pdf] [-o FILE] CODE")
	}
	var labels []label.Label
	for _, s := range fs.Args() {
		c, err := codes.Parse(s)
		if err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
		l, err := label.ForCode(c, *public)
		if err != nil {
			return err
		}
		labels = append(labels, l)
	}
	var buf bytes.Buffer
	var err error
	switch *format {
	case "png":
		err = label.PNG(&buf, labels[0], 8)
	case "svg":
		err = label.SVG(&buf, labels[0])
	case "pdf":
		err = label.PDF(&buf, labels, label.Sheet{Paper: "A4", Columns: *columns, Rows: *rows, MarginMM: 10, GapMM: 4, FontPath: *font})
	default:
		return fmt.Errorf("-format %q: want png, svg or pdf", *format)
	}
	if err != nil {
		return err
	}
	if (*format == "png" || *format == "svg") && len(labels) > 1 {
		log.Warn("png and svg hold one label: only the first code was rendered; use -format pdf for a sheet")
	}
	if *out == "" {
		_, err = stdout.Write(buf.Bytes())
		return err
	}
	return os.WriteFile(*out, buf.Bytes(), 0o644)
}
