using System.Diagnostics;

namespace Monitor.Core.Reporting;

/// <summary>
/// Prints the review pack to PDF with the system's headless Chromium (its --print-to-pdf command line), so the PDF is
/// the HTML page as a browser lays it out, with the page's print CSS (page size, page numbers, contents page). Also
/// the one launcher of the browser that the tests use to read and photograph pages. Every background network feature
/// is switched off: the pack fetches nothing.
/// </summary>
public static class ReviewPackPdf
{
    public const string DefaultPath = "/usr/bin/chromium";

    /// <summary>The environment variable that names another Chromium (or Chrome) executable.</summary>
    public const string PathVariable = "MONITOR_CHROMIUM";

    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    /// <summary>The browser: <see cref="PathVariable"/> when set, else <see cref="DefaultPath"/>; null when that file is missing.</summary>
    public static string? FindChromium() => File.Exists(ChromiumPath) ? ChromiumPath : null;

    /// <summary>Why there is no PDF when <see cref="FindChromium"/> finds nothing, and how to get one.</summary>
    public static string MissingChromium =>
        $"headless Chromium is not at {ChromiumPath}: install Debian's 'chromium' (apt-get install chromium) or set {PathVariable}";

    private static string ChromiumPath => Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } configured ? configured : DefaultPath;

    /// <summary>
    /// The whole pack of <paramref name="report"/> by file name: the data files, the HTML page in
    /// <paramref name="language"/> and, when a browser is there, the PDF printed from that page.
    /// </summary>
    /// <returns>The files, and why the PDF is missing (null when it is there).</returns>
    public static async Task<(Dictionary<string, byte[]> Files, string? PdfProblem)> PackAsync(ReviewReport report, PackLanguage language, CancellationToken cancellationToken)
    {
        var files = ReportFormats.DataFiles(report);
        var html = System.Text.Encoding.UTF8.GetBytes(ReviewPackHtml.Render(report, language));
        files[ReportFormats.HtmlFile] = html;
        if (FindChromium() is null)
        {
            return (files, MissingChromium);
        }
        var folder = Directory.CreateTempSubdirectory("monitor-pack-");
        try
        {
            var page = Path.Combine(folder.FullName, ReportFormats.HtmlFile);
            var pdf = Path.Combine(folder.FullName, ReportFormats.PdfFile);
            await File.WriteAllBytesAsync(page, html, cancellationToken);
            await PrintAsync(page, pdf, cancellationToken);
            files[ReportFormats.PdfFile] = await File.ReadAllBytesAsync(pdf, cancellationToken);
            return (files, null);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            return (files, ex.Message);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>Prints <paramref name="htmlFile"/> (a saved pack) to <paramref name="pdfFile"/>.</summary>
    /// <exception cref="InvalidOperationException">No browser, or it failed or wrote no PDF.</exception>
    public static async Task PrintAsync(string htmlFile, string pdfFile, CancellationToken cancellationToken)
    {
        File.Delete(pdfFile);
        await RunChromiumAsync([$"--print-to-pdf={Path.GetFullPath(pdfFile)}", "--no-pdf-header-footer", new Uri(Path.GetFullPath(htmlFile)).AbsoluteUri], cancellationToken);
        if (!File.Exists(pdfFile) || new FileInfo(pdfFile).Length == 0)
        {
            throw new InvalidOperationException($"chromium did not write the PDF {pdfFile}");
        }
    }

    /// <summary>Runs headless Chromium with a throw-away profile and <paramref name="args"/>; returns its standard output.</summary>
    /// <exception cref="InvalidOperationException">No browser, or it exited with an error.</exception>
    /// <exception cref="TimeoutException">It did not finish within two minutes.</exception>
    public static async Task<string> RunChromiumAsync(IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var executable = FindChromium() ?? throw new InvalidOperationException(MissingChromium);
        var profile = Directory.CreateTempSubdirectory("monitor-chromium-");
        try
        {
            var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true };
            string[] flags =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", $"--user-data-dir={profile.FullName}", .. args,
            ];
            foreach (var flag in flags)
            {
                start.ArgumentList.Add(flag);
            }
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(Deadline);
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                cancellationToken.ThrowIfCancellationRequested();
                throw new TimeoutException($"chromium {string.Join(' ', args)} did not finish within {Deadline.TotalMinutes:0} minutes");
            }
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"chromium {string.Join(' ', args)} exited with {process.ExitCode}: {await error}");
            }
            return await output;
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }
}
