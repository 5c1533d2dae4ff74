/**
 * The benchmark report: reads the JSON that JMH ({@code -rf json}) and {@code bench/vs-asyncio.sh} write,
 * checks every result against Spindle's performance budget, and regenerates {@code
 * docs/benchmarks.md} with its charts in {@code docs/images/}.
 *
 * <p>{@link dev.spindle.bench.report.BenchmarkReport} is the entry point ({@code ./spindle bench
 * --report} runs it after the benchmarks). {@link dev.spindle.bench.report.BenchmarkCatalog} holds what
 * each benchmark measures and the targets; {@link dev.spindle.bench.report.TargetEvaluator} turns results
 * into verdicts; {@link dev.spindle.bench.report.ChartRenderer} draws the PNGs with XChart and {@link
 * dev.spindle.bench.report.ReportPage} writes the markdown. Every number on the page comes from the JSON
 * of the run; the prose in the catalog never quotes one.
 */
package dev.spindle.bench.report;
