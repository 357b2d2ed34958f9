using System.Text;
using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Reporting;

/// <summary>
/// Pins each answer of the reporting API byte for byte (status, content type, nosniff, body) on the seeded
/// <see cref="ReportScenario"/>: the bodies are a public contract that scripts parse, so a change of property order,
/// null handling, indentation, escaping or date format must show up here. The pinned answers are files in
/// ApiAnswers/; MONITOR_PIN_API_ANSWERS=1 rewrites them (then review the diff).
/// </summary>
public sealed class ReportingApiAnswerTests(ReportingApiTests.Host host) : IClassFixture<ReportingApiTests.Host>
{
    private static readonly string Folder = Path.Combine(RepoPaths.Root, "tests", "Monitor.Tests", "Reporting", "ApiAnswers");

    [Theory]
    [InlineData("requests-all", "GET", "api/requests")]
    [InlineData("requests-us-withdrawn", "GET", "api/requests?party=us&status=withdrawn")]
    [InlineData("requests-none", "GET", "api/requests?party=FR")]
    [InlineData("request-a3", "GET", "api/requests/A3")]
    [InlineData("request-a3-june", "GET", "api/requests/A3?asOf=2026-06-30T00:00:00%2B08:00")]
    [InlineData("request-a5", "GET", "api/requests/A5?asOf=2027-01-15T00:00:00Z")]
    [InlineData("request-b5", "GET", "api/requests/B5")]
    [InlineData("board", "GET", "api/board")]
    [InlineData("board-us-by-id", "GET", "api/board?party=us&sort=id")]
    [InlineData("error-400-board-priority", "GET", "api/board?priority=urgent")]
    [InlineData("alerts-december", "GET", "api/alerts?from=2026-12-01&to=2026-12-31")]
    [InlineData("alerts-none", "GET", "api/alerts?from=2020-01-01&to=2020-01-02T12:00:00Z")]
    [InlineData("alerts-default-range", "GET", "api/alerts")]
    [InlineData("report-json", "GET", "api/reports/2026-H1?asOf=2027-01-15T00:00:00Z")]
    [InlineData("report-csv", "GET", "api/reports/2026-h2?format=CSV")]
    [InlineData("error-400-level", "GET", "api/requests?level=late")]
    [InlineData("error-400-party-quote", "GET", "api/requests?party=%27%20or%20%22x%22%20%3C%3E%20%27")]
    [InlineData("error-400-unknown", "GET", "api/requests/A1?format=csv")]
    [InlineData("error-400-twice", "GET", "api/nothing?a=1&a=2")]
    [InlineData("error-400-range", "GET", "api/alerts?from=2026-12-01&to=2026-11-01")]
    [InlineData("error-400-span", "GET", "api/alerts?from=2024-01-01&to=2026-01-01")]
    [InlineData("error-400-period", "GET", "api/reports/2026-H3")]
    [InlineData("error-400-id", "GET", "api/requests/A%01")]
    [InlineData("error-404-request", "GET", "api/requests/%C3%A9t%C3%A9%20%3Cx%3E")]
    [InlineData("error-404-resource", "GET", "api/requests/A1/extra")]
    [InlineData("error-404-outside", "GET", "other/requests")]
    [InlineData("error-405", "DELETE", "api/requests")]
    [InlineData("error-401", "GET", "api/alerts?code=wrong")]
    public async Task Each_answer_is_pinned_byte_for_byte(string name, string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (name != "error-401")
        {
            request.Headers.Add(Monitor.Cli.LocalApiServer.KeyHeader, ReportingApiTests.Key);
        }
        using var response = await host.Http.SendAsync(request);
        var head = $"{(int)response.StatusCode} {response.Content.Headers.ContentType} {string.Join(",", response.Headers.GetValues("X-Content-Type-Options"))}\n";
        byte[] actual = [.. Encoding.UTF8.GetBytes(head), .. await response.Content.ReadAsByteArrayAsync()];

        var file = Path.Combine(Folder, name + ".txt");
        if (Environment.GetEnvironmentVariable("MONITOR_PIN_API_ANSWERS") == "1")
        {
            Directory.CreateDirectory(Folder);
            await File.WriteAllBytesAsync(file, actual);
        }
        Assert.True(File.Exists(file), $"{file} is missing; run with MONITOR_PIN_API_ANSWERS=1 to pin the current answer");
        // Compared as text for a readable diff; the UTF-8 bytes are compared too.
        var expected = await File.ReadAllBytesAsync(file);
        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(actual));
        Assert.Equal(expected, actual);
    }
}
