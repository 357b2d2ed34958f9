using Monitor.Core.Reporting;

namespace Monitor.Core.WebConsole;

/// <summary>The console's paths (below the site root), shared by `monitor serve` and the function app's triggers.</summary>
public static class ConsoleRoutes
{
    public const string Board = "";
    public const string Request = "requests/{id}";
    public const string Feeds = "feeds";
    public const string Review = "review";
    public const string Asset = "console/{file}";
}

/// <summary>
/// The web console, host-independent like <see cref="ReportingApi"/>: (method, raw target) in, a page out. Every page is
/// rendered on the server from the reporting API's own answers (<see cref="ReportingApi.BoardAsync"/>,
/// <see cref="ReportingApi.RequestAsync"/>, <see cref="ReportingApi.FeedsAsync"/>), so the console holds no rule of its
/// own and shows exactly what the API answers; a small script swaps the board in on refresh. Sign-in is the host's job:
/// the key locally, Entra ID with the Operator role in Azure.
/// </summary>
public sealed class ConsoleSite(ReportingApi api)
{
    /// <summary>Whether the path (no query) is one of the console's: the host sends it here rather than to the API.</summary>
    public static bool Serves(string path) => Route(Segments(path)) is not ConsolePage.None;

    /// <summary>Whether the path is one of the two static assets, which hold no data and so need no sign-in (the sign-in page uses them).</summary>
    public static bool IsAsset(string path) => Route(Segments(path)) is ConsolePage.Asset;

    /// <summary>The page that asks for the key (401): `monitor serve` shows it to a browser that has not given one.</summary>
    public static ConsoleResponse SignInPage(string returnPath, bool wrongKey) => ConsolePages.SignIn(returnPath, wrongKey);

    /// <summary>A page that refuses the call (401 or 403), saying why.</summary>
    public static ConsoleResponse Refused(int status, string message) => ConsolePages.Problem(status, status == 403 ? "Not allowed" : "Sign-in needed", message);

    /// <summary>The page for a failure the host logged.</summary>
    public static ConsoleResponse ServerError() => ConsolePages.Problem(500, "Server error", "The server failed to answer; see its log.");

    /// <summary>Answers one call to a console path; <paramref name="target"/> is the raw path and query, still percent-encoded.</summary>
    public async Task<ConsoleResponse> HandleAsync(string method, string target, CancellationToken cancellationToken)
    {
        var question = target.IndexOf('?');
        var path = question < 0 ? target : target[..question];
        var segments = Segments(path);
        var page = Route(segments);
        if (page is ConsolePage.None)
        {
            return ConsolePages.Problem(404, "Not found", $"The console has no page {path}.");
        }
        if (!string.Equals(method, "GET", StringComparison.OrdinalIgnoreCase) && !string.Equals(method, "HEAD", StringComparison.OrdinalIgnoreCase))
        {
            return ConsolePages.Problem(405, "Method not allowed", $"The console only reads: {method} is not allowed.");
        }
        if (page is ConsolePage.Asset)
        {
            return ConsoleAssets.Find(segments[1]) is { } asset
                ? new ConsoleResponse(200, asset.ContentType, asset.Text)
                : ConsolePages.Problem(404, "Not found", $"The console has no file {segments[1]}.");
        }
        if (!ApiParameters.TryParse(question < 0 ? null : target[question..], out var parameters, out var queryError))
        {
            return ConsolePages.Problem(400, "Bad address", queryError);
        }
        try
        {
            return page switch
            {
                ConsolePage.Board => await BoardAsync(BoardQuery.Parse(parameters), cancellationToken),
                ConsolePage.Request => await RequestAsync(RequestQuery.Parse(segments[1], parameters), cancellationToken),
                ConsolePage.Feeds => ConsolePages.Feeds(await api.FeedsAsync(FeedsQuery.Parse(parameters), cancellationToken), await api.PullsAsync(new PullsQuery(null), cancellationToken)),
                _ => ConsolePages.Review(ReviewChoice.Parse(parameters, api.Now)),
            };
        }
        catch (ApiParameterException ex)
        {
            return ConsolePages.Problem(400, "Bad address", ex.Message);
        }
    }

    private async Task<ConsoleResponse> BoardAsync(BoardQuery query, CancellationToken cancellationToken) =>
        ConsolePages.Board(new BoardPage(await api.BoardAsync(query, cancellationToken), query));

    private async Task<ConsoleResponse> RequestAsync(RequestQuery query, CancellationToken cancellationToken) =>
        await api.RequestAsync(query, cancellationToken) is { } answer
            ? ConsolePages.Request(answer)
            : ConsolePages.Problem(404, "No such request", $"There is no request with ID {query.Id}.");

    private static string[] Segments(string path)
    {
        try
        {
            return [.. path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString)];
        }
        catch (UriFormatException)
        {
            return ["?"];
        }
    }

    private static ConsolePage Route(string[] segments) => segments switch
    {
        [] => ConsolePage.Board,
        ["requests", _] => ConsolePage.Request,
        ["feeds"] => ConsolePage.Feeds,
        ["review"] => ConsolePage.Review,
        ["console", _] => ConsolePage.Asset,
        _ => ConsolePage.None,
    };

    private enum ConsolePage
    {
        None,
        Board,
        Request,
        Feeds,
        Review,
        Asset,
    }
}

/// <summary>The review page's period (null: none picked yet) and the periods it offers around now.</summary>
internal sealed record ReviewChoice(ReportPeriod? Period, IReadOnlyList<string> Offered)
{
    public static ReviewChoice Parse(ApiParameters parameters, NodaTime.Instant now)
    {
        parameters.Allow("period");
        var text = parameters.Text("period");
        ReportPeriod? period = null;
        if (text is not null && !ReportPeriod.TryParse(text, out period, out var error))
        {
            throw new ApiParameterException($"period: {error}");
        }
        var year = now.InUtc().Year;
        var offered = new List<string>();
        for (var y = year; y >= year - 1; y--)
        {
            offered.AddRange([$"{y}-H2", $"{y}-H1", $"{y}-Q4", $"{y}-Q3", $"{y}-Q2", $"{y}-Q1"]);
        }
        return new ReviewChoice(period, offered);
    }
}

/// <summary>The embedded stylesheet and script (functions/Monitor.Core/WebConsole/Assets), read once.</summary>
internal static class ConsoleAssets
{
    public const string Stylesheet = "console.css";
    public const string Script = "console.js";

    private static readonly Dictionary<string, (string ContentType, string Text)> Files = new(StringComparer.Ordinal)
    {
        [Stylesheet] = ("text/css; charset=utf-8", Read(Stylesheet)),
        [Script] = ("text/javascript; charset=utf-8", Read(Script)),
    };

    public static (string ContentType, string Text)? Find(string name) => Files.TryGetValue(name, out var file) ? file : null;

    private static string Read(string name)
    {
        using var stream = typeof(ConsoleAssets).Assembly.GetManifestResourceStream("Monitor.Console." + name)
            ?? throw new InvalidOperationException($"the console asset {name} is not embedded in Monitor.Core");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
