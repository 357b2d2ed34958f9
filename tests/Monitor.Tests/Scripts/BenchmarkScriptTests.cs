using System.Diagnostics;
using System.Text.RegularExpressions;
using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Scripts;

/// <summary>
/// The README's benchmark commands work on a fresh clone: like the quick-start scripts they install Azurite (`npm ci`)
/// before the harness needs it. Runs the real scripts in a copy of the repository without node_modules, with stand-in
/// `npm` and `dotnet` first on PATH that record what they are asked.
/// </summary>
public sealed partial class BenchmarkScriptTests : IDisposable
{
    private readonly DirectoryInfo _clone = Directory.CreateTempSubdirectory("fresh-clone-");

    [Fact]
    public void The_readme_benchmark_commands_are_the_script_that_installs_what_it_needs()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        var section = readme[readme.IndexOf("\n## Benchmarks", StringComparison.Ordinal)..];
        var block = CodeBlock().Match(section);
        Assert.True(block.Success, "no bash block under ## Benchmarks");
        var commands = block.Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('#')[0].Trim()).ToList();
        Assert.NotEmpty(commands);
        Assert.All(commands, command => Assert.StartsWith("./scripts/benchmark.sh", command));
    }

    [Fact]
    public async Task On_a_fresh_clone_the_script_installs_azurite_before_it_runs_the_harness()
    {
        var (exitCode, output) = await RunAsync("--quick");

        Assert.True(exitCode == 0, output);
        var calls = File.ReadAllLines(Path.Combine(_clone.FullName, "calls.log"));
        Assert.Equal(["npm ci --no-audit --no-fund --loglevel=error", "dotnet run -c Release --project tests/Monitor.Benchmarks -- --quick azurite-installed"], calls);
    }

    public void Dispose() => _clone.Delete(recursive: true);

    private async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments)
    {
        var scripts = Directory.CreateDirectory(Path.Combine(_clone.FullName, "scripts"));
        foreach (var script in new[] { "benchmark.sh", "azurite.sh" })
        {
            File.Copy(Path.Combine(RepoPaths.Root, "scripts", script), Path.Combine(scripts.FullName, script));
        }
        var bin = Directory.CreateDirectory(Path.Combine(_clone.FullName, "bin"));
        var log = Path.Combine(_clone.FullName, "calls.log");
        // npm ci installs Azurite's launcher; dotnet records whether it was there when the harness started.
        WriteExecutable(Path.Combine(bin.FullName, "npm"), $$"""
            #!/usr/bin/env bash
            echo "npm $*" >> "{{log}}"
            mkdir -p node_modules/.bin && printf '#!/bin/sh\n' > node_modules/.bin/azurite && chmod +x node_modules/.bin/azurite
            """);
        WriteExecutable(Path.Combine(bin.FullName, "dotnet"), $$"""
            #!/usr/bin/env bash
            [[ -x node_modules/.bin/azurite ]] && state=azurite-installed || state=azurite-missing
            echo "dotnet $* $state" >> "{{log}}"
            """);

        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _clone.FullName };
        start.ArgumentList.Add(Path.Combine(scripts.FullName, "benchmark.sh"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment.Remove("MonitorStorage");
        start.Environment["PATH"] = $"{bin.FullName}:/usr/bin:/bin";
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static void WriteExecutable(string path, string text)
    {
        File.WriteAllText(path, text.ReplaceLineEndings("\n") + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [GeneratedRegex(@"```bash\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();
}
