package metrics

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// Format names an aggregate metrics file format.
type Format string

// The aggregate formats. FormatAuto picks one by the file's extension and
// content (see Parse).
const (
	// FormatAuto detects the format.
	FormatAuto Format = ""
	// FormatJSON is a JSON object of numbers, nested objects flattened with
	// "." (DVC's metrics.json and most hand-written files).
	FormatJSON Format = "json"
	// FormatYAML is the same as FormatJSON, written in YAML.
	FormatYAML Format = "yaml"
	// FormatCSV is `name,value` rows, or a header of names over one row of
	// values.
	FormatCSV Format = "csv"
	// FormatLMEval is an lm-evaluation-harness results file: metrics are
	// read from its "results" and "groups" objects, named
	// "<task>.<metric>,<filter>", with "_stderr" companions as StdErr.
	FormatLMEval Format = "lm-eval"
	// FormatHFTrainer is a Hugging Face Trainer eval_results.json or
	// all_results.json: flat JSON, names kept as written ("eval_loss").
	FormatHFTrainer Format = "hf-trainer"
	// FormatSklearn is scikit-learn's classification_report(output_dict=True)
	// saved as JSON: "accuracy", "macro avg.f1-score", "<label>.precision".
	FormatSklearn Format = "sklearn-report"
)

// Formats returns the format names ParseFormat accepts, FormatAuto first
// (as "auto").
func Formats() []string {
	return []string{"auto", string(FormatJSON), string(FormatYAML), string(FormatCSV),
		string(FormatLMEval), string(FormatHFTrainer), string(FormatSklearn)}
}

// ParseFormat parses a format name as a user gives it (a flag or a config
// value), ignoring case: "", "auto", "json", "yaml" (or "yml"), "csv",
// "lm-eval" (or "lm-eval-harness"), "hf-trainer", "sklearn-report" (or
// "sklearn"). An unknown name is an error listing the known ones.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return FormatAuto, nil
	case "json":
		return FormatJSON, nil
	case "yaml", "yml":
		return FormatYAML, nil
	case "csv":
		return FormatCSV, nil
	case "lm-eval", "lm-eval-harness", "lm_eval":
		return FormatLMEval, nil
	case "hf-trainer", "hf_trainer":
		return FormatHFTrainer, nil
	case "sklearn-report", "sklearn":
		return FormatSklearn, nil
	}
	return "", fmt.Errorf("unknown metrics format %q (known: %s)", s, strings.Join(Formats(), ", "))
}

// ReadFile reads the aggregate metrics file at path; see Parse. Every error
// is an *Error naming path.
func ReadFile(path string, format Format) (*Set, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: path, Err: unwrapPathError(err)}
	}
	return Parse(path, data, format)
}

// unwrapPathError drops the path an *os.PathError repeats.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// Parse reads aggregate metrics from data; source names the file in the
// Set and in errors. Every error is an *Error.
//
// Only numbers become metrics. Booleans, strings (even ones that spell a
// number, and "N/A"), nulls and arrays are ignored, so a file may carry
// labels, versions and per-class lists beside its metrics. Nested objects
// or mappings are flattened with "."; two keys that flatten to the same name
// are an error naming both. A NaN or infinite value, or a number too large
// for a float64 (1e999), or beyond MaxMagnitude, is an error naming the key
// and line. So is a file
// without any metric.
//
// JSON is read as encoding/json reads it, plus the NaN, Infinity and
// -Infinity tokens Python writes, which are then reported as non-finite
// values (or, for lm-evaluation-harness standard errors, as absent).
//
// With FormatAuto the format is chosen by the extension of source: ".yaml"
// and ".yml" are YAML, ".csv" is CSV, others (".json" included) by content:
// text starting with '{' or '[' is JSON, text whose first line has a ','
// and no ": " is CSV, anything else YAML. JSON is then recognised as
//   - FormatLMEval when it has a top-level "results" object whose values are
//     all objects and one of their keys holds a "," or ends in "_stderr";
//   - FormatSklearn when it has a "macro avg" or "weighted avg" object with
//     an "f1-score";
//   - FormatHFTrainer when no value is an object and a key is "epoch" or
//     starts with "eval_", "train_", "test_" or "predict_";
//   - FormatJSON otherwise.
//
// FormatHFTrainer, FormatSklearn and FormatJSON read the same way (nested
// flattening); the Set records which was detected or given.
func Parse(source string, data []byte, format Format) (*Set, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &Error{File: source, Err: errors.New("empty file: no metrics found")}
	}
	if format == FormatAuto {
		format = detectFormat(source, data)
	}
	var (
		set *Set
		err error
	)
	switch format {
	case FormatJSON, FormatLMEval, FormatHFTrainer, FormatSklearn, FormatAuto:
		set, err = parseJSONMetrics(source, data, format)
	case FormatYAML:
		set, err = parseYAMLMetrics(source, data)
	case FormatCSV:
		set, err = parseCSVMetrics(source, data)
	default:
		return nil, &Error{File: source, Err: fmt.Errorf("unknown metrics format %q (known: %s)", format, strings.Join(Formats(), ", "))}
	}
	if err != nil {
		return nil, err
	}
	if len(set.Metrics) == 0 {
		return nil, &Error{File: source, Err: fmt.Errorf("no metrics found (no numeric values in this %s file)", set.Format)}
	}
	return set, nil
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// detectFormat picks the syntax by extension, then by content. JSON comes
// back as FormatAuto, to be refined once parsed.
func detectFormat(source string, data []byte) Format {
	switch strings.ToLower(filepath.Ext(source)) {
	case ".yaml", ".yml":
		return FormatYAML
	case ".csv":
		return FormatCSV
	case ".json":
		return FormatAuto
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		return FormatAuto
	}
	first := trimmed
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	first = bytes.TrimRight(first, " \t\r")
	if bytes.IndexByte(first, ',') >= 0 && !bytes.Contains(first, []byte(": ")) && !bytes.HasSuffix(first, []byte(":")) {
		return FormatCSV
	}
	return FormatYAML
}

// detectJSON recognises the JSON dialects by content.
func detectJSON(root *jvalue) Format {
	if isLMEval(root) {
		return FormatLMEval
	}
	for _, k := range []string{"macro avg", "weighted avg"} {
		if v := root.member(k); v != nil && v.kind == '{' && v.member("f1-score") != nil {
			return FormatSklearn
		}
	}
	hf := false
	for _, m := range root.members {
		if m.val.kind == '{' {
			return FormatJSON
		}
		if m.key == "epoch" || hasAnyPrefix(m.key, "eval_", "train_", "test_", "predict_") {
			hf = true
		}
	}
	if hf {
		return FormatHFTrainer
	}
	return FormatJSON
}

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func isLMEval(root *jvalue) bool {
	results := root.member("results")
	if results == nil || results.kind != '{' || len(results.members) == 0 {
		return false
	}
	found := false
	for _, task := range results.members {
		if task.val.kind != '{' {
			return false
		}
		for _, m := range task.val.members {
			if strings.Contains(m.key, ",") || strings.HasSuffix(m.key, "_stderr") {
				found = true
			}
		}
	}
	return found
}

// jsonError turns a syntax error into an *Error with the line.
func jsonError(source string, data []byte, err error) error {
	var se *syntaxError
	if !errors.As(err, &se) {
		return &Error{File: source, Err: err}
	}
	line, col := lineCol(data, se.off)
	msg := fmt.Sprintf("invalid JSON: %s (column %d)", se.msg, col)
	if strings.HasSuffix(se.msg, "after top-level value") && line > 1 {
		msg += "; one JSON object per line is a per-example (JSON Lines) file, not aggregate metrics"
	}
	return &Error{File: source, Line: line, Err: errors.New(msg)}
}

func parseJSONMetrics(source string, data []byte, format Format) (*Set, error) {
	root, data, _, err := parseJSON(data)
	if err != nil {
		return nil, jsonError(source, data, err)
	}
	if root.kind != '{' {
		line, _ := lineCol(data, root.off)
		return nil, &Error{File: source, Line: line, Err: fmt.Errorf("expected a JSON object of metrics at the top level, found %s", kindName(root.kind))}
	}
	if format == FormatAuto {
		format = detectJSON(root)
	}
	c := newCollector(source, format)
	c.data = data
	if format == FormatLMEval {
		err = c.lmEval(root)
	} else {
		err = c.flattenJSON(root, "", "", false)
	}
	if err != nil {
		return nil, err
	}
	return c.set(), nil
}

// kindName names a kind of JSON value, for messages.
func kindName(k jsontext.Kind) string {
	switch k {
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	case '0':
		return "a number"
	case '"':
		return "a string"
	case '[':
		return "an array"
	default:
		return "an object"
	}
}

// collector gathers metrics, refusing duplicate names.
type collector struct {
	source  string
	data    []byte // the JSON text, for lines of offsets
	format  Format
	byName  map[string]int // index in metrics
	metrics []Metric
	origins []origin
}

// origin says where a metric was read, for errors.
type origin struct {
	path string // the keys as written, e.g. ["eval"]["accuracy"]
	line int    // the line, when off < 0
	off  int    // the offset in collector.data, or -1
}

// lineOrigin is an origin known by its line.
func lineOrigin(path string, line int) origin { return origin{path: path, line: line, off: -1} }

// lineOf returns the line of o. JSON origins are offsets, turned into
// lines only for messages: counting lines for every metric would make a
// large file quadratic.
func (c *collector) lineOf(o origin) int {
	if o.off < 0 {
		return o.line
	}
	line, _ := lineCol(c.data, o.off)
	return line
}

func newCollector(source string, format Format) *collector {
	return &collector{source: source, format: format, byName: map[string]int{}}
}

func (c *collector) errorf(line int, key, format string, args ...any) error {
	return &Error{File: c.source, Line: line, Key: key, Err: fmt.Errorf(format, args...)}
}

// add records a metric, checking its value (see checkValue) and that it
// is new.
func (c *collector) add(name string, v float64, o origin) error {
	if err := checkValue(v); err != nil {
		return c.errorf(c.lineOf(o), name, "%v", err)
	}
	if i, dup := c.byName[name]; dup {
		prev := c.origins[i]
		line := c.lineOf(o)
		return c.errorf(line, name, "duplicate metric name: %s (line %d) and %s (line %d) both name it",
			prev.path, c.lineOf(prev), o.path, line)
	}
	c.byName[name] = len(c.metrics)
	c.metrics = append(c.metrics, Metric{Name: name, Value: v})
	c.origins = append(c.origins, o)
	return nil
}

func (c *collector) set() *Set {
	sort.Slice(c.metrics, func(i, j int) bool { return c.metrics[i].Name < c.metrics[j].Name })
	return &Set{Source: c.source, Format: c.format, Metrics: c.metrics}
}

// pathKey appends key to a display path of keys as written.
func pathKey(path, key string) string { return path + "[" + strconv.Quote(key) + "]" }

// joinName appends key to a flattened name; top says prefix is the top
// level, not an empty key.
func joinName(prefix, key string, top bool) string {
	if top {
		return key
	}
	return prefix + "." + key
}

// number returns the value of a JSON number, which must be finite.
func (c *collector) number(v *jvalue, name string) (float64, error) {
	if v.lit == "" {
		return v.num, nil
	}
	line, _ := lineCol(c.data, v.off)
	if v.special {
		return 0, c.errorf(line, name, "value is %s; metrics must be finite numbers", v.lit)
	}
	return 0, c.errorf(line, name, "number %s is out of range for a 64-bit float", v.lit)
}

// addNumber adds the metric name with the value of the JSON number v,
// found at o.
func (c *collector) addNumber(name string, v *jvalue, o origin) error {
	f, err := c.number(v, name)
	if err != nil {
		return err
	}
	return c.add(name, f, o)
}

// flattenJSON adds the numbers under object v, named prefix + "." + key.
// emptyKey records that an enclosing key was "".
func (c *collector) flattenJSON(v *jvalue, prefix, path string, emptyKey bool) error {
	for _, m := range v.members {
		name, mpath := joinName(prefix, m.key, path == ""), pathKey(path, m.key)
		empty := emptyKey || m.key == ""
		switch m.val.kind {
		case '{':
			if err := c.flattenJSON(m.val, name, mpath, empty); err != nil {
				return err
			}
		case '0':
			o := origin{path: mpath, off: m.off}
			if empty {
				return c.errorf(c.lineOf(o), name, "empty key in %s: a metric needs a name", mpath)
			}
			if err := c.addNumber(name, m.val, o); err != nil {
				return err
			}
		}
	}
	return nil
}

// lmEval reads an lm-evaluation-harness results file.
func (c *collector) lmEval(root *jvalue) error {
	results := root.member("results")
	if results == nil || results.kind != '{' {
		return c.errorf(0, "results", `no "results" object: not an lm-evaluation-harness results file`)
	}
	hib := root.member("higher_is_better")
	if err := c.lmEvalSection(results, `["results"]`, false, hib); err != nil {
		return err
	}
	if groups := root.member("groups"); groups != nil && groups.kind == '{' {
		if err := c.lmEvalSection(groups, `["groups"]`, true, hib); err != nil {
			return err
		}
	}
	return nil
}

// lmEvalSection reads {"<task>": {"<metric>,<filter>": v, ...}}. In the
// groups section a name already read from results is skipped: recent
// harness versions list groups in both. hib, the file's "higher_is_better"
// object ({"<task>": {"<metric>": bool}}), if any, gives directions.
func (c *collector) lmEvalSection(section *jvalue, path string, groups bool, hib *jvalue) error {
	for _, task := range section.members {
		if task.val.kind != '{' {
			continue
		}
		tpath := pathKey(path, task.key)
		stderrs := map[string]*float64{}
		var added []string
		for _, m := range task.val.members {
			metric, filter, hasFilter := strings.Cut(m.key, ",")
			if base, ok := strings.CutSuffix(metric, "_stderr"); ok {
				key := base
				if hasFilter {
					key += "," + filter
				}
				stderrs[key] = stderrValue(m.val)
				continue
			}
			if m.val.kind != '0' {
				continue // "alias", "name", "N/A" and the like
			}
			name := task.key + "." + m.key
			if groups {
				if _, dup := c.byName[name]; dup {
					continue
				}
			}
			o := origin{path: pathKey(tpath, m.key), off: m.off}
			if task.key == "" || metric == "" {
				return c.errorf(c.lineOf(o), name, "empty task or metric name in %s", o.path)
			}
			if err := c.addNumber(name, m.val, o); err != nil {
				return err
			}
			added = append(added, m.key)
			if d := direction(hib, task.key, metric); d != nil {
				c.metrics[len(c.metrics)-1].HigherIsBetter = d
			}
		}
		for _, key := range added {
			if se := stderrs[key]; se != nil {
				c.metrics[c.byName[task.key+"."+key]].StdErr = se
			}
		}
	}
	return nil
}

// stderrValue returns a standard error within MaxMagnitude, or nil for
// "N/A", null, NaN and the like.
func stderrValue(v *jvalue) *float64 {
	if v.kind != '0' || v.lit != "" || checkValue(v.num) != nil {
		return nil
	}
	f := v.num
	return &f
}

// direction looks up hib[task][metric], a boolean.
func direction(hib *jvalue, task, metric string) *bool {
	if hib == nil || hib.kind != '{' {
		return nil
	}
	t := hib.member(task)
	if t == nil || t.kind != '{' {
		return nil
	}
	v := t.member(metric)
	if v == nil || v.kind != 't' && v.kind != 'f' {
		return nil
	}
	b := v.kind == 't'
	return &b
}
