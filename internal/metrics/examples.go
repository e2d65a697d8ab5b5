package metrics

// Examples holds per-example results: one row per example id, one column
// per per-example metric.
type Examples struct {
	// Source names the file, for messages.
	Source string
	// IDs are the example ids in file order; unique.
	IDs []string
	// Columns are the metric names, sorted.
	Columns []string
	// Values maps a column to its values, aligned with IDs. A row that
	// lacks the column holds NaN there; every other value is at most
	// MaxMagnitude in magnitude, and every column has at least one value.
	Values map[string][]float64
}

// Paired holds the per-example values of a base and a head run, paired by id.
type Paired struct {
	// Columns are the metrics present on both sides, sorted.
	Columns []string
	// Pairs maps a column to its paired values: Base[i] and Head[i] belong
	// to the same example, in the head file's order. Examples lacking the
	// value on either side are left out of that column. Every column in
	// Columns has an entry, possibly empty. Where the examples pair row
	// for row and no value is missing, the slices are the Examples' own
	// columns, not copies: neither may be modified.
	Pairs map[string]PairedValues
	// N is the number of ids present on both sides.
	N int
	// UnpairedBase and UnpairedHead count the ids present on one side only.
	UnpairedBase, UnpairedHead int
	// BaseOnly and HeadOnly are the columns present on one side only, sorted.
	BaseOnly, HeadOnly []string
	// BaseMeans and HeadMeans are each side's column means over all of its
	// rows that have a value, paired or not: the metric's value for a side
	// that has nothing to pair with.
	BaseMeans, HeadMeans map[string]float64
}

// PairedValues are the values of one metric for the examples both runs have.
type PairedValues struct {
	// Base and Head are each run's values, in pair order: Base[i] and
	// Head[i] are the same example's.
	Base, Head []float64
}
