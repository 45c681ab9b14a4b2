// The reports of `tcpclose sweep`: one row per grid point as CSV, Markdown and JSON
// (docs/json.md, "sweep"), a plot drawn by gnuplot, and reading a JSON report back for --resume.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "sweep.hpp"
#include "sweep_experiments.hpp"

namespace tcpclose::cli {

std::string sweep_csv(const SweepResult& r);
std::string sweep_markdown(const SweepResult& r, const Derived* d);
nlohmann::json sweep_json(const SweepResult& r, const Derived* d, int exit_code);

// The default picture of a grid: states (log scale) against the first integer axis, one line
// per combination of the other axes, a cross where a property is violated.
Derived default_plot(const SweepResult& r);

// Runs gnuplot on `d.plot` (reading `d.data`) and writes the SVG atomically to `svg`.
// Returns "" or why not (gnuplot missing: Debian's gnuplot-nox, installed by tools/dev).
std::string draw_svg(const Derived& d, const std::string& svg);

// Text for a gnuplot single-quoted string: a quote is doubled, as gnuplot reads it ("Linux's").
std::string gp_text(const std::string& s);

// --resume: the finished rows of an earlier JSON report, by point, into `r.rows`, when its
// axes and fixed options are those of `r.grid`. Returns "" or why the file cannot be used.
std::string load_resume(const std::string& path, SweepResult& r, std::size_t& reused);

}  // namespace tcpclose::cli
