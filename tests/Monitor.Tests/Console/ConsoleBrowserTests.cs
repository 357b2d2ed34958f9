using System.Text.Json;
using Monitor.Core.Reporting;
using Monitor.Core.Storage;
using PuppeteerSharp;
using PuppeteerSharp.Input;

namespace Monitor.Tests.WebConsole;

/// <summary>
/// The console as a duty officer uses it: `monitor serve` on Azurite, pages rendered by headless Chromium, read from the
/// DOM, driven with the keyboard. Every page must load without a console error, a script error or a failed call.
/// Screenshots of the board and a request page are kept in artifacts/browser/.
/// </summary>
public sealed class ConsoleBrowserTests(ConsoleScenario scenario, ConsoleBrowser browser)
    : IClassFixture<ConsoleScenario>, IClassFixture<ConsoleBrowser>
{
    private string Url(string path) => new Uri(scenario.BaseAddress, path).AbsoluteUri;

    [Fact]
    public async Task The_board_shows_every_open_request_with_its_level_and_each_clock_due_in_UTC_and_both_parties_zones()
    {
        await using var watched = await browser.OpenAsync();
        var page = watched.Page;
        await page.GoToAsync(Url($"?code={ConsoleScenario.Key}"), WaitUntilNavigation.Load);
        await page.WaitForSelectorAsync("#board-table tbody tr");

        // The key is out of the address bar once the session has it.
        Assert.Equal(Url(""), page.Url);

        using var dom = JsonDocument.Parse(await page.EvaluateFunctionAsync<string>("""
            () => JSON.stringify([...document.querySelectorAll('#board-table tbody tr')].map(tr => ({
              id: tr.querySelector('th a').textContent,
              level: tr.querySelector('td .level').textContent,
              clocks: [...tr.querySelectorAll('li[data-clock]')].map(li => ({
                clock: li.dataset.clock,
                level: li.querySelector('.level').textContent,
                due: li.querySelector('time') ? li.querySelector('time').getAttribute('datetime') : null,
                shown: li.querySelector('time') ? li.querySelector('time').textContent : null,
                zones: [...li.querySelectorAll('.zone')].map(z => z.textContent),
                text: li.textContent })) })))
            """));
        var rows = dom.RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!);

        // Every open request of the table, with the level and due instants the sweep stored.
        var open = (await scenario.Storage.ReadAllAsync<RequestEntity>("Requests")).Where(r => r.Status == "open").ToList();
        Assert.Equal(5, open.Count);
        Assert.Equal(open.Select(r => r.RequestId).Order(), rows.Keys.Order());
        foreach (var request in open)
        {
            var row = rows[request.RequestId];
            Assert.Equal(request.Level, row.GetProperty("level").GetString());
            var clocks = row.GetProperty("clocks").EnumerateArray().ToDictionary(c => c.GetProperty("clock").GetString()!);
            foreach (var (clock, level, due) in new[]
            {
                ("acknowledgement", request.AckLevel, request.AckDueAt), ("response", request.ResponseLevel, request.ResponseDueAt), ("update", request.UpdateLevel, request.UpdateDueAt),
            })
            {
                Assert.Equal(level, clocks[clock].GetProperty("level").GetString());
                var iso = due?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
                Assert.Equal(iso, clocks[clock].GetProperty("due").GetString());
                Assert.Equal(iso, clocks[clock].GetProperty("shown").GetString());
                if (due is not null)
                {
                    var zones = clocks[clock].GetProperty("zones").EnumerateArray().Select(z => z.GetString()!).ToList();
                    Assert.Equal(2, zones.Count);
                    Assert.Contains(zones, z => z.StartsWith("CN: ", StringComparison.Ordinal) && z.EndsWith("+08 (Asia/Shanghai)", StringComparison.Ordinal));
                    Assert.Contains(zones, z => z.StartsWith("US: ", StringComparison.Ordinal) && z.EndsWith("(America/New_York)", StringComparison.Ordinal));
                }
            }
        }

        // Hand-computed (ConsoleScenario): C-01's response is at risk, due Fri 17:00 in Beijing, 04:00 in New York, 8 h left.
        var response = rows["C-01"].GetProperty("clocks").EnumerateArray().Single(c => c.GetProperty("clock").GetString() == "response");
        Assert.Equal("2026-11-20T09:00:00Z", response.GetProperty("due").GetString());
        Assert.Equal(["CN: Fri 2026-11-20 17:00 +08 (Asia/Shanghai)", "US: Fri 2026-11-20 04:00 -05 (America/New_York)"],
            response.GetProperty("zones").EnumerateArray().Select(z => z.GetString()));
        Assert.Contains("due in 8h 0m", response.GetProperty("text").GetString());
        Assert.Equal("at-risk", rows["C-01"].GetProperty("level").GetString());

        // Sorted by the next due instant of a running clock.
        var board = (await scenario.Http.GetStringAsync($"api/board?code={ConsoleScenario.Key}"));
        using var answer = JsonDocument.Parse(board);
        Assert.Equal(answer.RootElement.GetProperty("requests").EnumerateArray().Select(r => r.GetProperty("requestId").GetString()),
            dom.RootElement.EnumerateArray().Select(r => r.GetProperty("id").GetString()));

        // WCAG AA: every piece of text on the board, badges included, has a contrast of 4.5:1 or more with what is behind it.
        var lowContrast = await page.EvaluateFunctionAsync<string[]>(LowContrastScript);
        Assert.Empty(lowContrast);

        await page.ScreenshotAsync(Path.Combine(ConsoleBrowser.ArtifactsFolder, "console-board.png"), new ScreenshotOptions { FullPage = true });
        Assert.Empty(watched.Problems);
    }

    [Fact]
    public async Task Filtering_with_the_keyboard_swaps_the_board_in_without_a_reload_and_keeps_the_focus()
    {
        await using var watched = await browser.OpenAsync();
        var page = watched.Page;
        await page.GoToAsync(Url($"?code={ConsoleScenario.Key}"), WaitUntilNavigation.Load);
        await page.WaitForSelectorAsync("#board-table tbody tr");
        await page.EvaluateExpressionAsync("window.consoleMarker = 'same document'");

        await TabToAsync(page, "party");
        Assert.True(await page.EvaluateExpressionAsync<bool>("getComputedStyle(document.activeElement).outlineStyle !== 'none'"), "the focused control shows its focus");
        await page.Keyboard.TypeAsync("US");
        await WaitUntilAsync(page, """
            () => location.search === '?party=US&sort=due'
              && [...document.querySelectorAll('#board-table tbody tr')].length === 2
              && [...document.querySelectorAll('#board-table tbody tr')].every(tr => tr.dataset.respondingParty === 'US')
            """);
        Assert.Equal("same document", await page.EvaluateExpressionAsync<string>("window.consoleMarker"));
        Assert.Equal("party", await page.EvaluateExpressionAsync<string>("document.activeElement.id"));
        Assert.StartsWith("2 of 5 open requests", await page.EvaluateExpressionAsync<string>("document.getElementById('board-status').textContent"));

        // The level filter, by keyboard too (Home: the party back to "all"; two steps down the levels: at-risk).
        await page.Keyboard.PressAsync(Key.Home);
        await TabToAsync(page, "level");
        await page.Keyboard.PressAsync(Key.ArrowDown);
        await page.Keyboard.PressAsync(Key.ArrowDown);
        await WaitUntilAsync(page, """
            () => location.search === '?level=at-risk&sort=due'
              && [...document.querySelectorAll('#board-table tbody tr')].length > 0
              && [...document.querySelectorAll('#board-table tbody tr')].every(tr => tr.dataset.level === 'at-risk')
            """);
        Assert.Equal("same document", await page.EvaluateExpressionAsync<string>("window.consoleMarker"));
        Assert.Empty(watched.Problems);
    }

    [Fact]
    public async Task The_request_page_shows_each_clock_in_both_zones_the_timeline_with_what_matched_and_the_alerts()
    {
        await using var watched = await browser.OpenAsync();
        var page = watched.Page;
        await page.GoToAsync(Url($"?code={ConsoleScenario.Key}"), WaitUntilNavigation.Load);
        // From the board to the request page by keyboard: the link is focused and followed with Enter.
        await page.FocusAsync("#board-table a[href='/requests/C-01']");
        await Task.WhenAll(page.WaitForNavigationAsync(), page.Keyboard.PressAsync(Key.Enter));
        await page.WaitForSelectorAsync("#request");
        Assert.Equal(Url("requests/C-01"), page.Url);

        Assert.Equal("at-risk", await page.EvaluateExpressionAsync<string>("document.getElementById('request').dataset.level"));
        var response = await page.EvaluateExpressionAsync<string>("document.querySelector('tr[data-clock=\"response\"]').textContent");
        Assert.Contains("at-risk", response);
        Assert.Contains("2026-11-20T09:00:00ZCN: Fri 2026-11-20 17:00 +08 (Asia/Shanghai) US: Fri 2026-11-20 04:00 -05 (America/New_York)", response);
        Assert.Contains("2026-11-27T09:00:00ZCN: Fri 2026-11-27 17:00 +08 (Asia/Shanghai) US: Fri 2026-11-27 04:00 -05 (America/New_York)", response);
        var ack = await page.EvaluateExpressionAsync<string>("document.querySelector('tr[data-clock=\"acknowledgement\"]').textContent");
        Assert.Contains("met", ack);
        Assert.Contains("2026-11-16T08:00:00Z", ack);

        var timeline = await page.EvaluateExpressionAsync<string>("document.getElementById('timeline').nextElementSibling.textContent");
        Assert.Contains("liaison / E-1", timeline);
        Assert.Contains("acknowledgement", timeline);
        Assert.Contains("liaison / E-2", timeline);
        Assert.Contains("url:http://x4z9arb.cn/4712", timeline);

        var alerts = await page.EvaluateExpressionAsync<string>("document.getElementById('alerts').nextElementSibling.textContent");
        Assert.Contains("pending → at-risk", alerts);
        Assert.Contains("2026-11-19T07:00:00Z", alerts);
        Assert.Contains("queue queue: delivered", alerts);

        Assert.Empty(await page.EvaluateFunctionAsync<string[]>(LowContrastScript));
        await page.ScreenshotAsync(Path.Combine(ConsoleBrowser.ArtifactsFolder, "console-request-C-01.png"), new ScreenshotOptions { FullPage = true });
        Assert.Empty(watched.Problems);
    }

    [Fact]
    public async Task Signing_in_once_opens_the_feeds_and_review_pages_of_the_session()
    {
        await using var watched = await browser.OpenAsync();
        var page = watched.Page;
        watched.Expected.Add(Url("feeds"));
        await page.GoToAsync(Url("feeds"), WaitUntilNavigation.Load);
        await TabToAsync(page, "code");
        await page.Keyboard.TypeAsync(ConsoleScenario.Key);
        await Task.WhenAll(page.WaitForNavigationAsync(), page.Keyboard.PressAsync(Key.Enter));
        await page.WaitForSelectorAsync("#quarantine");
        Assert.Equal(Url("feeds"), page.Url);

        var quarantine = await page.EvaluateExpressionAsync<string>("document.getElementById('quarantine').nextElementSibling.textContent");
        Assert.Contains("incidents/cert-x/broken.csv", quarantine);
        Assert.Contains("UTF-8", quarantine);
        var runs = await page.EvaluateExpressionAsync<string>("document.getElementById('runs').nextElementSibling.textContent");
        Assert.Contains("incidents/liaison/events.csv", runs);
        Assert.Contains("reject, line 4", runs);
        var pulls = await page.EvaluateExpressionAsync<string>("document.getElementById('pulls').nextElementSibling.textContent");
        Assert.Contains("No source is pulled", pulls);

        // The review page, without the key again: pick a period by keyboard, then the pack comes from the API in the frame.
        await page.GoToAsync(Url("review"), WaitUntilNavigation.Load);
        await TabToAsync(page, "period");
        await page.Keyboard.TypeAsync("2026-H2");
        await TabToAsync(page, "show-pack");
        await Task.WhenAll(page.WaitForNavigationAsync(), page.Keyboard.PressAsync(Key.Enter));
        await WaitUntilAsync(page, """
            () => { const f = document.querySelector('iframe.pack');
                    return f && f.contentDocument && f.contentDocument.readyState === 'complete' && f.contentDocument.body && f.contentDocument.body.textContent.includes('2026-H2'); }
            """);
        var links = await page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('main li a')].map(a => a.getAttribute('href'))");
        Assert.Equal(
            [.. new[] { "format=html&lang=en", "format=html&lang=zh", "format=html&lang=both", "format=pdf", "format=json" }
                .Concat(ReportFormats.CsvFiles.Select(file => "format=csv&file=" + file)).Select(query => "/api/reports/2026-H2?" + query)],
            links);
        Assert.Empty(watched.Problems);
    }

    /// <summary>
    /// The text elements whose colour has less than 4.5:1 contrast (WCAG 2 relative luminance) with the first opaque
    /// background behind them, as "text: ratio".
    /// </summary>
    private const string LowContrastScript = """
        () => {
          const rgb = c => (c.match(/[\d.]+/g) || []).map(Number);
          const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
            .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
          const background = el => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor); if (c.length === 3 || c[3] > 0) return c.slice(0, 3); } return [255, 255, 255]; };
          const bad = [];
          for (const el of document.querySelectorAll('body *')) {
            const text = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim();
            if (!text || el.offsetParent === null) continue;
            const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(background(el))];
            const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
            if (ratio < 4.5) bad.push(text.slice(0, 40) + ': ' + ratio.toFixed(2));
          }
          return bad;
        }
        """;

    /// <summary>
    /// Waits until the script is true, checking every 50 ms: requestAnimationFrame, Puppeteer's default, does not run in a
    /// headless page that is not in front, and a page in its own browser context is not.
    /// </summary>
    private static Task WaitUntilAsync(IPage page, string script) =>
        page.WaitForFunctionAsync(script, new WaitForFunctionOptions { PollingInterval = 50 });

    /// <summary>Presses Tab until the element with <paramref name="id"/> has the focus (at most 30 times).</summary>
    private static async Task TabToAsync(IPage page, string id)
    {
        for (var i = 0; i < 30; i++)
        {
            if (await page.EvaluateExpressionAsync<string>("document.activeElement ? document.activeElement.id : ''") == id)
            {
                return;
            }
            await page.Keyboard.PressAsync(Key.Tab);
        }
        Assert.Fail($"Tab never reached #{id}");
    }
}
