using Monitor.Core.Reporting;

namespace Monitor.Tests.Infrastructure;

/// <summary>
/// Debian's chromium in headless mode, through the product's own launcher (<see cref="ReviewPackPdf"/>, which prints
/// the review pack): --dump-dom for the parsed page, --screenshot for a PNG, --print-to-pdf for the PDF.
/// </summary>
public static class HeadlessChromium
{
    public const string DefaultPath = ReviewPackPdf.DefaultPath;

    /// <summary>The browser, or a failure that says how to get it (the test script installs it; a silent skip would hide a missing check).</summary>
    public static string Executable => ReviewPackPdf.FindChromium()
        ?? throw new FileNotFoundException($"{ReviewPackPdf.MissingChromium}; scripts/test.sh installs it with apt-get");

    public static async Task<string> DumpDomAsync(string htmlFile)
    {
        _ = Executable;
        return await ReviewPackPdf.RunChromiumAsync(["--dump-dom", new Uri(htmlFile).AbsoluteUri], CancellationToken.None);
    }

    public static async Task ScreenshotAsync(string htmlFile, string pngFile, int width = 1280, int height = 2000)
    {
        _ = Executable;
        await ReviewPackPdf.RunChromiumAsync([$"--screenshot={pngFile}", $"--window-size={width},{height}", "--hide-scrollbars", new Uri(htmlFile).AbsoluteUri], CancellationToken.None);
        if (!File.Exists(pngFile))
        {
            throw new InvalidOperationException($"chromium did not write the screenshot {pngFile}");
        }
    }
}
