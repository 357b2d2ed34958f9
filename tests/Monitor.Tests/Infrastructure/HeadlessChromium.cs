using System.Diagnostics;

namespace Monitor.Tests.Infrastructure;

/// <summary>
/// Debian's chromium in headless mode, driven by its command line: --dump-dom for the parsed page, --screenshot for
/// a PNG. Every background network feature is switched off, so a page that tried to fetch anything would show it.
/// </summary>
public static class HeadlessChromium
{
    public const string DefaultPath = "/usr/bin/chromium";

    /// <summary>The browser, or a failure that says how to get it (the test script installs it; a silent skip would hide a missing check).</summary>
    public static string Executable
    {
        get
        {
            var path = Environment.GetEnvironmentVariable("MONITOR_CHROMIUM") is { Length: > 0 } configured ? configured : DefaultPath;
            return File.Exists(path)
                ? path
                : throw new FileNotFoundException($"headless Chromium is needed for the review-pack browser check and is not at {path}: run scripts/test.sh (it installs Debian's 'chromium' with apt-get) or `apt-get install -y chromium`, or set MONITOR_CHROMIUM");
        }
    }

    public static async Task<string> DumpDomAsync(string htmlFile) => (await RunAsync("--dump-dom", new Uri(htmlFile).AbsoluteUri)).Output;

    public static async Task ScreenshotAsync(string htmlFile, string pngFile, int width = 1280, int height = 2000)
    {
        await RunAsync($"--screenshot={pngFile}", $"--window-size={width},{height}", "--hide-scrollbars", new Uri(htmlFile).AbsoluteUri);
        if (!File.Exists(pngFile))
        {
            throw new InvalidOperationException($"chromium did not write the screenshot {pngFile}");
        }
    }

    private static async Task<(string Output, string Error)> RunAsync(params string[] args)
    {
        var profile = Directory.CreateTempSubdirectory("monitor-chromium-");
        try
        {
            var start = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var flag in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", $"--user-data-dir={profile.FullName}",
            }.Concat(args))
            {
                start.ArgumentList.Add(flag);
            }
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"chromium {string.Join(' ', args)} did not finish within 2 minutes");
            }
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"chromium {string.Join(' ', args)} exited with {process.ExitCode}: {await error}");
            }
            return (await output, await error);
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }
}
