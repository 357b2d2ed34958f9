using System.Net;
using System.Text.Json;
using Monitor.Cli;
using Monitor.Core.WebConsole;

namespace Monitor.Tests.WebConsole;

/// <summary>The console's pages over HTTP from `monitor serve`: sign-in, headers, and the API answers it is built on.</summary>
public sealed class ConsoleHttpTests(ConsoleScenario scenario) : IClassFixture<ConsoleScenario>
{
    private HttpClient Http => scenario.Http;

    [Theory]
    [InlineData("")]
    [InlineData("requests/C-01")]
    [InlineData("feeds")]
    [InlineData("review")]
    public async Task A_page_without_the_key_asks_for_it_and_shows_no_data(string path)
    {
        using var none = await Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        var body = await none.Content.ReadAsStringAsync();
        Assert.Contains("<input id=\"code\" name=\"code\" type=\"password\"", body);
        Assert.DoesNotContain("Downloader URL", body);
        Assert.DoesNotContain("at-risk", body);

        using var wrong = await Http.GetAsync(path + "?code=nope");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("That key is not the server's key", await wrong.Content.ReadAsStringAsync());
        Assert.False(wrong.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task The_key_given_once_as_code_is_kept_in_an_http_only_session_cookie_that_opens_the_other_pages_and_the_api()
    {
        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer() };
        using var browser = new HttpClient(handler) { BaseAddress = scenario.BaseAddress };
        using var first = await browser.GetAsync($"?code={ConsoleScenario.Key}");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var cookie = Assert.Single(first.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith($"{LocalApiServer.SessionCookie}=", cookie);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("expires", cookie, StringComparison.OrdinalIgnoreCase);

        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("requests/C-01")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("feeds")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("api/board")).StatusCode);
    }

    [Theory]
    [InlineData("", "text/html; charset=utf-8")]
    [InlineData("requests/C-01", "text/html; charset=utf-8")]
    [InlineData("console/console.js", "text/javascript; charset=utf-8")]
    [InlineData("console/console.css", "text/css; charset=utf-8")]
    public async Task Every_answer_forbids_inline_script_and_sniffing(string path, string contentType)
    {
        using var response = await Http.GetAsync($"{path}?code={ConsoleScenario.Key}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType!.ToString());
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self';", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>", body);
        Assert.DoesNotContain(" style=", body);
        Assert.DoesNotContain("http://", body.Replace("http://x4z9arb.cn", ""));
    }

    [Fact]
    public async Task The_assets_need_no_key_because_the_sign_in_page_uses_them()
    {
        using var css = await Http.GetAsync("console/console.css");
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.Contains(":focus-visible", await css.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"console/other.js?code={ConsoleScenario.Key}")).StatusCode);
    }

    [Fact]
    public async Task Values_are_escaped_and_a_bad_filter_is_a_400_that_names_it()
    {
        var board = await Http.GetStringAsync($"?code={ConsoleScenario.Key}");
        Assert.Contains("Botnet C2 &lt;b&gt;not markup&lt;/b&gt;", board);
        using var bad = await Http.GetAsync($"?level=late&code={ConsoleScenario.Key}");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("level: &quot;late&quot; is not a level", await bad.Content.ReadAsStringAsync());
        using var missing = await Http.GetAsync($"requests/NOPE-1?code={ConsoleScenario.Key}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task The_board_answer_of_the_api_filters_sorts_by_due_and_counts_the_time_left_from_now()
    {
        using var all = JsonDocument.Parse(await Http.GetStringAsync($"api/board?code={ConsoleScenario.Key}"));
        var root = all.RootElement;
        Assert.Equal("2026-11-20T01:00:00+00:00", root.GetProperty("asOf").GetString());
        Assert.Equal(5, root.GetProperty("total").GetInt32());
        Assert.Equal("Asia/Shanghai", root.GetProperty("zones").GetProperty("CN").GetString());
        var due = root.GetProperty("requests").EnumerateArray().Select(r => r.GetProperty("nextDueAt").GetDateTimeOffset()).ToList();
        Assert.Equal(due.Order(), due);

        var c01 = root.GetProperty("requests").EnumerateArray().Single(r => r.GetProperty("requestId").GetString() == "C-01");
        var response = c01.GetProperty("clocks").EnumerateArray().Single(c => c.GetProperty("clock").GetString() == "response");
        Assert.Equal("at-risk", response.GetProperty("level").GetString());
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero), response.GetProperty("dueAt").GetDateTimeOffset());
        Assert.Equal(8 * 3600, response.GetProperty("secondsLeft").GetInt64());
        var ack = c01.GetProperty("clocks").EnumerateArray().Single(c => c.GetProperty("clock").GetString() == "acknowledgement");
        Assert.Equal("met", ack.GetProperty("level").GetString());
        Assert.Equal(JsonValueKind.Null, ack.GetProperty("secondsLeft").ValueKind);

        using var us = JsonDocument.Parse(await Http.GetStringAsync($"api/board?party=us&priority=HIGH&sort=id&code={ConsoleScenario.Key}"));
        Assert.Equal(["C-05"], us.RootElement.GetProperty("requests").EnumerateArray().Select(r => r.GetProperty("requestId").GetString()));
        using var bad = await Http.GetAsync($"api/board?priority=urgent&code={ConsoleScenario.Key}");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("priority: \\\"urgent\\\" is not one of critical, high, medium, low", await bad.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_feeds_answer_of_the_api_lists_each_run_with_its_rejects_and_the_quarantine_with_its_reason()
    {
        using var feeds = JsonDocument.Parse(await Http.GetStringAsync($"api/feeds?code={ConsoleScenario.Key}"));
        var runs = feeds.RootElement.GetProperty("runs").EnumerateArray().ToList();
        var events = runs.Single(r => r.GetProperty("blobName").GetString() == "incidents/liaison/events.csv");
        Assert.Equal(1, events.GetProperty("rejects").GetInt32());
        var problem = Assert.Single(events.GetProperty("problems").EnumerateArray());
        Assert.Equal("line 4", problem.GetProperty("location").GetString());
        var quarantined = Assert.Single(feeds.RootElement.GetProperty("quarantine").EnumerateArray());
        Assert.Equal("incidents/cert-x/broken.csv", quarantined.GetProperty("blobName").GetString());
        Assert.Contains("UTF-8", quarantined.GetProperty("reason").GetString());
    }

    [Fact]
    public void Only_the_console_paths_go_to_the_console()
    {
        Assert.True(ConsoleSite.Serves("/"));
        Assert.True(ConsoleSite.Serves("/requests/US-2026-0042"));
        Assert.True(ConsoleSite.Serves("/feeds"));
        Assert.True(ConsoleSite.IsAsset("/console/console.js"));
        Assert.False(ConsoleSite.Serves("/api/requests"));
        Assert.False(ConsoleSite.Serves("/requests/a/b"));
        Assert.False(ConsoleSite.Serves("/other/requests"));
    }
}
