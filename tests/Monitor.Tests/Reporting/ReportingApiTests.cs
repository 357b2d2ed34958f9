using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Cli;
using Monitor.Core.Reporting;
using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Reporting;

/// <summary>
/// The reporting API as `monitor serve` hosts it: Kestrel on 127.0.0.1, a real key check, the seeded
/// <see cref="ReportScenario"/> in Azurite. Every call goes over loopback HTTP.
/// </summary>
public sealed class ReportingApiTests(ReportingApiTests.Host host) : IClassFixture<ReportingApiTests.Host>
{
    internal const string Key = "test-key-0123456789";
    private readonly HttpClient _http = host.Http;

    /// <summary>One seeded storage and one server for the class: the calls only read (and recompute PeriodStats).</summary>
    public sealed class Host : IAsyncLifetime
    {
        private readonly TestStorage _test = new(ReportScenario.AsOf);
        private LocalApiServer _server = null!;

        public HttpClient Http { get; private set; } = null!;

        public IServiceProvider Services => _test.Services;

        public async Task InitializeAsync()
        {
            await ReportScenario.SeedAsync(_test);
            _server = await LocalApiServer.StartAsync(_test.Services, Key, 0, null, CancellationToken.None);
            Assert.Equal("127.0.0.1", _server.BaseAddress.Host);
            Http = new HttpClient { BaseAddress = _server.BaseAddress };
        }

        public async Task DisposeAsync()
        {
            Http.Dispose();
            await _server.DisposeAsync();
            await _test.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("api/requests")]
    [InlineData("api/requests/A1")]
    [InlineData("api/alerts")]
    [InlineData("api/reports/2026-H1")]
    [InlineData("api/reports/not-a-period")]
    public async Task A_call_without_the_key_or_with_a_wrong_key_gets_401(string path)
    {
        var none = await _http.GetAsync(path);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.DoesNotContain("A1", await none.Content.ReadAsStringAsync());

        var wrong = new HttpRequestMessage(HttpMethod.Get, path);
        wrong.Headers.Add(LocalApiServer.KeyHeader, Key + "x");
        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.SendAsync(wrong)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.GetAsync($"{path}{(path.Contains('?') ? '&' : '?')}code=nope")).StatusCode);
    }

    /// <summary>Before: a wrong key got the same "a key is required" text as a missing one, which sent users looking for the wrong fix.</summary>
    [Fact]
    public async Task A_missing_key_and_a_wrong_key_get_different_401_texts()
    {
        var none = await _http.GetAsync("api/requests");
        Assert.Contains("a key is required: send the x-functions-key header or ?code=", await none.Content.ReadAsStringAsync());

        var wrong = new HttpRequestMessage(HttpMethod.Get, "api/requests");
        wrong.Headers.Add(LocalApiServer.KeyHeader, Key + "x");
        var wrongBody = await (await _http.SendAsync(wrong)).Content.ReadAsStringAsync();
        Assert.Contains("the key is wrong: it is not the one `monitor serve` printed at start-up", wrongBody);
        Assert.DoesNotContain("a key is required", wrongBody);
        Assert.Contains("the key is wrong", await (await _http.GetAsync("api/requests?code=nope")).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_key_works_as_a_header_and_as_code()
    {
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("api/requests")).Status);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync($"api/requests?code={Key}")).StatusCode);
    }

    [Theory]
    [InlineData("api/alerts?from=yesterday", "from:")]
    [InlineData("api/alerts?from=2026-13-01", "from:")]
    [InlineData("api/alerts?to=2026-02-30", "to:")]
    [InlineData("api/alerts?from=2026-12-01&to=2026-11-01", "must be before")]
    [InlineData("api/alerts?from=2024-01-01&to=2026-01-01", "at most 366")]
    [InlineData("api/requests?level=late", "level:")]
    [InlineData("api/requests?level=overdue%20", "level:")]
    [InlineData("api/requests?status=lost", "status:")]
    [InlineData("api/requests?party=C%20N", "party:")]
    [InlineData("api/requests?party=CN&party=US", "party:")]
    [InlineData("api/requests?colour=red", "colour: unknown parameter")]
    [InlineData("api/reports/2026-H3", "period:")]
    [InlineData("api/reports/H1-2026", "period:")]
    [InlineData("api/reports/2026-H1?format=docx", "format:")]
    [InlineData("api/reports/2026-H1?lang=fr", "lang:")]
    [InlineData("api/reports/2026-H1?asOf=2027-01-15T00:00:00", "asOf:")]
    [InlineData("api/requests/A1?asOf=soon", "asOf:")]
    public async Task A_malformed_parameter_gets_400_naming_it(string path, string message)
    {
        var (status, body) = await GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        using var json = JsonDocument.Parse(body);
        Assert.Contains(message, json.RootElement.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("party")]
    [InlineData("level")]
    [InlineData("status")]
    public async Task An_injection_attempt_in_a_query_parameter_is_refused(string parameter)
    {
        var (status, body) = await GetAsync($"api/requests?{parameter}={Uri.EscapeDataString("' or true or '")}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.DoesNotContain("\"requestId\"", body);
    }

    [Theory]
    [InlineData("' or true or '")]
    [InlineData("A1' or RowKey ne '")]
    [InlineData("A1') or (true")]
    [InlineData("*")]
    public async Task An_injection_attempt_in_the_request_id_finds_nothing(string id)
    {
        var (status, body) = await GetAsync("api/requests/" + Uri.EscapeDataString(id));
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.DoesNotContain("\"timeline\"", body);
        Assert.DoesNotContain("\"requestId\"", body);
        Assert.DoesNotContain("answered on time", body);
    }

    [Fact]
    public async Task Requests_filter_by_party_level_and_status()
    {
        Assert.Equal(["A5"], await RequestIdsAsync("api/requests?party=CN&level=escalated"));
        Assert.Equal(["A5"], await RequestIdsAsync("api/requests?party=cn&level=ESCALATED&status=open"));
        Assert.Equal(["B5"], await RequestIdsAsync("api/requests?status=withdrawn"));
        Assert.Equal(["B1", "B2", "B3", "B4", "B5"], await RequestIdsAsync("api/requests?party=US"));
        Assert.Empty(await RequestIdsAsync("api/requests?party=FR"));
    }

    [Fact]
    public async Task One_request_comes_with_its_timeline_newest_first_clock_explanations_and_quality_reasons()
    {
        var (status, body) = await GetAsync("api/requests/A3");
        Assert.Equal(HttpStatusCode.OK, status);
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Assert.Equal("A3", root.GetProperty("request").GetProperty("requestId").GetString());
        Assert.Equal(["S-1", "CN-6", "CN-5", "CN-4"], root.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("recordId").GetString()));
        var clocks = root.GetProperty("clocks").EnumerateArray().ToDictionary(c => c.GetProperty("clock").GetString()!);
        Assert.Equal("met-late", clocks["response"].GetProperty("level").GetString());
        Assert.StartsWith("met-late: stopped by", clocks["response"].GetProperty("why").GetString());
        Assert.Contains(clocks["response"].GetProperty("explanation").EnumerateArray(), l => l.GetString()!.StartsWith("met late at", StringComparison.Ordinal));
        Assert.Equal(90, root.GetProperty("quality").GetProperty("score").GetInt32());
        Assert.Equal(4, root.GetProperty("quality").GetProperty("reasons").GetArrayLength());
    }

    [Fact]
    public async Task Alerts_of_a_date_range()
    {
        // The one sweep at 2027-01-15 caught up with every level A5's clocks reached (one alert each), filtered by ReachedAt:
        // ack (P1D from Mon 12-07 09:00 +08) at risk 12-07 07:00Z, overdue 12-07 09:00Z, escalated 12-08 09:00Z;
        // response (P5D) at risk 12-10 07:00Z, overdue 12-11 09:00Z, escalated 12-18 09:00Z;
        // update (P7D on 24x7 from 12-07 01:00Z) at risk 12-12 07:00Z, overdue 12-14 01:00Z, escalated 12-21 01:00Z.
        string[] levels = ["at-risk", "escalated", "overdue"];
        Assert.Equal(
            new[] { "acknowledgement", "response", "update" }.SelectMany(c => levels.Select(l => $"A5|{c}|{l}|0000")),
            await AlertIdsAsync("api/alerts?from=2026-12-01&to=2026-12-31"));
        Assert.Equal(
            ["A5|response|at-risk|0000", "A5|response|escalated|0000", "A5|response|overdue|0000", "A5|update|at-risk|0000", "A5|update|overdue|0000"],
            await AlertIdsAsync("api/alerts?from=2026-12-10&to=2026-12-18T09:00:01Z"));
        // "to" is exclusive: the response escalation reached at exactly 12-18 09:00Z drops out.
        Assert.Equal(
            ["A5|response|at-risk|0000", "A5|response|overdue|0000", "A5|update|at-risk|0000", "A5|update|overdue|0000"],
            await AlertIdsAsync("api/alerts?from=2026-12-10&to=2026-12-18T09:00:00Z"));
    }

    [Fact]
    public async Task Reports_come_as_json_csv_and_html_with_the_same_figures()
    {
        var (status, csv) = await GetAsync("api/reports/2026-H1?format=csv");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(PeriodStatsTests.Expected["2026-H1"], csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1));

        var (_, body) = await GetAsync("api/reports/2026-h2");
        using var json = JsonDocument.Parse(body);
        Assert.Equal("2026-H2", json.RootElement.GetProperty("period").GetString());
        Assert.Equal([2, 3], json.RootElement.GetProperty("stats").EnumerateArray().Select(s => s.GetProperty("requestsReceived").GetInt32()));

        var (_, html) = await GetAsync("api/reports/2026-H2?format=html");
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("<svg", html);
    }

    [Fact]
    public async Task The_pack_s_CSV_files_HTML_in_each_language_and_stored_PDF_come_from_the_report_route()
    {
        // Each CSV file of the pack by its name; a wrong name gets a 400 that lists the names.
        var (status, csv) = await GetAsync("api/reports/2026-H2?format=csv&file=requests.csv&asOf=2027-01-15T00:00:00Z");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("RequestId,RequestingParty,RespondingParty,", csv);
        (status, var error) = await GetAsync("api/reports/2026-H2?format=csv&file=secrets.csv");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(string.Join(", ", ReportFormats.CsvFiles), error);
        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync("api/reports/2026-H2?file=requests.csv")).Status);

        (status, var zh) = await GetAsync("api/reports/2026-H2?format=html&lang=zh&asOf=2027-01-15T00:00:00Z");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("<html lang=\"zh-Hans\">", zh);
        Assert.Contains("按答复方的执行摘要", zh);

        // The PDF is the one `monitor report` printed and stored; before that, a 404 says how to make it.
        (status, error) = await GetAsync("api/reports/2026-Q1?format=pdf");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("monitor report 2026-Q1 --out DIR", error);
        var reports = host.Services.GetRequiredService<ReportService>();
        var report = await reports.ComputeAsync(ReportPeriod.Parse("2026-Q1"), ReportScenario.AsOf, CancellationToken.None);
        var (files, problem) = await ReviewPackPdf.PackAsync(report, PackLanguage.En, CancellationToken.None);
        Assert.Null(problem);
        await reports.SavePackAsync(report.Period, files, CancellationToken.None);
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/reports/2026-Q1?format=pdf");
        request.Headers.Add(LocalApiServer.KeyHeader, Key);
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(files[ReportFormats.PdfFile], await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Unknown_resources_and_other_methods_are_refused()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync("api/nothing")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync("api/requests/A1/extra")).Status);
        var post = new HttpRequestMessage(HttpMethod.Post, "api/requests");
        post.Headers.Add(LocalApiServer.KeyHeader, Key);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await _http.SendAsync(post)).StatusCode);
    }

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add(LocalApiServer.KeyHeader, Key);
        using var response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<List<string?>> RequestIdsAsync(string path)
    {
        var (status, body) = await GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, status);
        using var json = JsonDocument.Parse(body);
        return [.. json.RootElement.GetProperty("requests").EnumerateArray().Select(r => r.GetProperty("requestId").GetString())];
    }

    private async Task<List<string?>> AlertIdsAsync(string path)
    {
        var (status, body) = await GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, status);
        using var json = JsonDocument.Parse(body);
        return [.. json.RootElement.GetProperty("alerts").EnumerateArray().Select(r => r.GetProperty("alertId").GetString()).Order(StringComparer.Ordinal)];
    }
}
