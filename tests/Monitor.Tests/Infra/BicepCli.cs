using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Infra;

/// <summary>
/// Runs the bicep CLI that restore downloaded (PackageDownload Azure.Bicep.CommandLine.linux-x64 in the test project).
/// The build bakes its path into the assembly (AssemblyMetadata "BicepPath"); BICEP_PATH overrides it.
/// </summary>
public static class BicepCli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    public static string MainTemplate => Path.Combine(RepoPaths.Root, "infra", "main.bicep");

    public static string Executable { get; } = Locate();

    public sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        public string Describe() => $"exit code {ExitCode}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";
    }

    public static async Task<Result> RunAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        // No telemetry or update checks: CI has no network besides the package registries.
        start.Environment["BICEP_TELEMETRY_ENABLED"] = "false";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Executable}");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within {Timeout}");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    private static string Locate()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            throw new PlatformNotSupportedException("the infra tests use Azure.Bicep.CommandLine.linux-x64; set BICEP_PATH to a bicep CLI for this platform");
        }
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("BICEP_PATH") is { Length: > 0 } configured)
        {
            candidates.Add(configured);
        }
        var baked = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "BicepPath")?.Value;
        if (!string.IsNullOrEmpty(baked))
        {
            candidates.Add(baked);
            // The package root may differ from build to test (NUGET_PACKAGES set only for one of them): probe the default too.
            var relative = baked[(baked.IndexOf("azure.bicep.commandline.linux-x64", StringComparison.Ordinal))..];
            var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } packages
                ? packages
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            candidates.Add(Path.Combine(root, relative));
        }
        foreach (var candidate in candidates)
        {
            if (File.Exists(candidate))
            {
                EnsureExecutable(candidate);
                return candidate;
            }
        }
        throw new FileNotFoundException($"bicep CLI not found (tried: {string.Join(", ", candidates)}); run `dotnet restore` on tests/Monitor.Tests, which downloads Azure.Bicep.CommandLine.linux-x64");
    }

    /// <summary>NuGet extracts package files with the mode stored in the archive, which need not include execute.</summary>
    private static void EnsureExecutable(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        var mode = File.GetUnixFileMode(path);
        const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        if ((mode & UnixFileMode.UserExecute) == 0)
        {
            File.SetUnixFileMode(path, mode | execute);
        }
    }
}
