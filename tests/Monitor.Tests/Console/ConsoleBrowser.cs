using System.Collections.Concurrent;
using Monitor.Tests.Infrastructure;
using PuppeteerSharp;

namespace Monitor.Tests.WebConsole;

/// <summary>
/// The system Chromium (<see cref="HeadlessChromium.Executable"/>, Debian's package, which scripts/test.sh installs) driven
/// by PuppeteerSharp over the DevTools protocol; nothing is downloaded. One browser for a test class.
/// </summary>
public sealed class ConsoleBrowser : IAsyncLifetime
{
    private IBrowser _browser = null!;

    public static string ArtifactsFolder => Directory.CreateDirectory(Path.Combine(RepoPaths.Root, "artifacts", "browser")).FullName;

    public async Task InitializeAsync() =>
        _browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = HeadlessChromium.Executable,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-quic",
            ],
        });

    /// <summary>A page in a fresh incognito context (its own cookies), recording every console error, page error and failed or refused call.</summary>
    public async Task<WatchedPage> OpenAsync()
    {
        var context = await _browser.CreateBrowserContextAsync();
        var page = await context.NewPageAsync();
        await page.SetViewportAsync(new ViewPortOptions { Width = 1400, Height = 1000 });
        return new WatchedPage(context, page);
    }

    public async Task DisposeAsync() => await _browser.DisposeAsync();
}

/// <summary>A browser page and what went wrong on it: console errors, script errors, failed requests and answers of 400 or more.</summary>
public sealed class WatchedPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly ConcurrentQueue<string> _problems = new();

    public WatchedPage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.Console += (_, e) =>
        {
            // Chromium logs every answer of 400 or more as a console error too; an expected one is not a problem.
            if (e.Message.Type == ConsoleType.Error && !Expected.Contains(e.Message.Location?.URL ?? ""))
            {
                _problems.Enqueue($"console error: {e.Message.Text}");
            }
        };
        page.PageError += (_, e) => _problems.Enqueue($"page error: {e.Message}");
        page.RequestFailed += (_, e) => _problems.Enqueue($"request failed: {e.Request.Method} {e.Request.Url} {e.Request.FailureText}");
        page.Response += (_, e) =>
        {
            if ((int)e.Response.Status >= 400 && !Expected.Contains(e.Response.Url))
            {
                _problems.Enqueue($"HTTP {(int)e.Response.Status}: {e.Response.Url}");
            }
        };
    }

    public IPage Page { get; }

    /// <summary>Addresses whose 4xx answer a test expects (the sign-in page is a 401).</summary>
    public HashSet<string> Expected { get; } = [];

    public IReadOnlyCollection<string> Problems => _problems;

    public async ValueTask DisposeAsync()
    {
        await Page.CloseAsync();
        await _context.CloseAsync();
    }
}
