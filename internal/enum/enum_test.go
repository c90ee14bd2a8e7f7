package enum

import (
	"strings"
	"testing"
)

type color uint8

var colors = Names[color]{1: "red", 2: "green"}

func TestNames(t *testing.T) {
	if colors.String("color", 2) != "green" || colors.String("color", 7) != "color(7)" || colors.String("color", 0) != "color(0)" {
		t.Error("String")
	}
	if c, err := colors.Parse("color", "red"); err != nil || c != 1 {
		t.Errorf("Parse red: %v, %v", c, err)
	}
	if _, err := colors.Parse("color", "blue"); err == nil || !strings.Contains(err.Error(), `unknown color "blue" (known: red, green)`) {
		t.Errorf("Parse blue: %v", err)
	}
	if !colors.Valid(1) || colors.Valid(0) || colors.Valid(3) {
		t.Error("Valid")
	}
}
