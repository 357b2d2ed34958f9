namespace Monitor.Core.Reporting;

/// <summary>
/// The reporting API's route templates below <c>/api</c>. The HTTP-triggered functions name these constants in their
/// triggers and <see cref="ReportingApi"/> matches paths against the same templates, so the two hosts cannot disagree.
/// </summary>
public static class ApiRoutes
{
    public const string Prefix = "api";
    public const string Requests = "requests";
    public const string Request = "requests/{id}";
    public const string Alerts = "alerts";
    public const string Report = "reports/{period}";
    public const string Pulls = "pulls";
    /// <summary>The OData feed: its service root and everything below it, answered by <see cref="OData.ODataService"/>.</summary>
    public const string OData = "odata/{*path}";
    public const string Board = "board";
    public const string Feeds = "feeds";
}

/// <summary>One route: a template from <see cref="ApiRoutes"/> and how the API answers it.</summary>
/// <param name="Answer">Parses the route values and parameters into the route's typed query, runs it and renders the answer.</param>
/// <param name="Method">The HTTP method it answers: GET, except the report's recompute (POST).</param>
internal sealed record ApiRoute(
    string Template,
    Func<ReportingApi, IReadOnlyDictionary<string, string>, ApiParameters, CancellationToken, Task<ApiResponse>> Answer,
    string Method = "GET")
{
    private readonly string[] _segments = Template.Split('/');

    /// <summary>The values of the template's <c>{names}</c> when the (decoded) segments below /api fit it, else null.</summary>
    public Dictionary<string, string>? Match(ReadOnlySpan<string> segments)
    {
        if (segments.Length != _segments.Length)
        {
            return null;
        }
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < segments.Length; i++)
        {
            if (_segments[i] is ['{', .. var name, '}'])
            {
                values[name] = segments[i];
            }
            else if (_segments[i] != segments[i])
            {
                return null;
            }
        }
        return values;
    }
}
