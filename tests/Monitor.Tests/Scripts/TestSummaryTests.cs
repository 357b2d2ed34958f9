using System.Diagnostics;
using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Scripts;

/// <summary>
/// The last line of `scripts/test.sh` and its exit status (scripts/test-summary.py over the TRX files of the run): a run
/// that tested nothing, or whose summary is missing, must fail, never print a green "0 passed".
/// </summary>
public sealed class TestSummaryTests : IDisposable
{
    private readonly DirectoryInfo _results = Directory.CreateTempSubdirectory("trx-");

    [Fact]
    public async Task A_filter_that_matches_nothing_fails_the_run()
    {
        // What `dotnet test --filter NoSuchTest` writes: a TRX whose counters are all zero, and exit status 0.
        WriteTrx("Monitor.Tests.trx", total: 0, executed: 0, passed: 0, failed: 0);

        var (exitCode, output) = await SummariseAsync(dotnetTestStatus: 0);

        Assert.Equal(1, exitCode);
        Assert.EndsWith("0 passed, 1 failed, 0 skipped", output.TrimEnd());
        Assert.Contains("no test ran", output);
    }

    [Fact]
    public async Task A_missing_summary_fails_the_run()
    {
        // The test host was killed before it wrote its results: no TRX at all.
        var (exitCode, output) = await SummariseAsync(dotnetTestStatus: 1);

        Assert.Equal(1, exitCode);
        Assert.EndsWith("0 passed, 1 failed, 0 skipped", output.TrimEnd());
        Assert.Contains("no TRX summary", output);
    }

    [Fact]
    public async Task A_green_run_sums_every_project_and_always_prints_the_skipped_count()
    {
        WriteTrx("A.trx", total: 5, executed: 4, passed: 4, failed: 0);
        WriteTrx("sub/B.trx", total: 3, executed: 3, passed: 3, failed: 0);

        var (exitCode, output) = await SummariseAsync(dotnetTestStatus: 0);

        Assert.Equal(0, exitCode);
        Assert.Equal("7 passed, 0 failed, 1 skipped", output.TrimEnd());
    }

    [Fact]
    public async Task A_failed_test_or_a_crash_after_passing_tests_fails_the_run()
    {
        WriteTrx("A.trx", total: 2, executed: 2, passed: 1, failed: 1);
        var (failedExit, failedOutput) = await SummariseAsync(dotnetTestStatus: 1);
        Assert.Equal(1, failedExit);
        Assert.Equal("1 passed, 1 failed, 0 skipped", failedOutput.TrimEnd());

        File.Delete(Path.Combine(_results.FullName, "A.trx"));
        WriteTrx("A.trx", total: 2, executed: 2, passed: 2, failed: 0);
        var (crashExit, crashOutput) = await SummariseAsync(dotnetTestStatus: 134);
        Assert.Equal(1, crashExit);
        Assert.EndsWith("2 passed, 1 failed, 0 skipped", crashOutput.TrimEnd());
    }

    /// <summary>A hung test fails the run instead of stalling CI.</summary>
    [Fact]
    public void The_test_command_sets_a_hang_timeout()
    {
        var script = File.ReadAllText(Path.Combine(RepoPaths.Root, "scripts", "test.sh"));
        Assert.Matches(@"dotnet test [^\n]*\\\n\s*--blame-hang-timeout \d+m", script);
    }

    private void WriteTrx(string name, int total, int executed, int passed, int failed)
    {
        var path = Path.Combine(_results.FullName, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
              <ResultSummary outcome="{(failed > 0 ? "Failed" : "Completed")}">
                <Counters total="{total}" executed="{executed}" passed="{passed}" failed="{failed}" error="0" timeout="0" aborted="0" inconclusive="0" notExecuted="0" />
              </ResultSummary>
            </TestRun>
            """);
    }

    private async Task<(int ExitCode, string Output)> SummariseAsync(int dotnetTestStatus)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(RepoPaths.Root, "scripts", "test-summary.py"));
        start.ArgumentList.Add(_results.FullName);
        start.ArgumentList.Add($"{dotnetTestStatus}");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stderr + await stdout);
    }

    public void Dispose() => _results.Delete(recursive: true);
}
