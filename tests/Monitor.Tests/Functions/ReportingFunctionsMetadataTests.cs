using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Reporting;
using Monitor.Core.Reporting.OData;
using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Functions;

/// <summary>
/// The reporting API's HTTP triggers, as the Functions host reads them: GET only, and no function key, because in Azure
/// App Service Authentication (Entra ID) stands in front of every route and the app checks the caller's role
/// (Functions/FunctionAppHostTests, Infra/ArmTemplateTests).
/// </summary>
public sealed class ReportingFunctionsMetadataTests
{
    [Theory]
    [InlineData("GetRequests", "api/requests")]
    [InlineData("GetRequest", "api/requests/{id}")]
    [InlineData("GetAlerts", "api/alerts")]
    [InlineData("GetReport", "api/reports/{period}")]
    [InlineData("GetBoard", "api/board")]
    [InlineData("GetFeeds", "api/feeds")]
    [InlineData("GetPulls", "api/pulls")]
    [InlineData("ODataFeed", "api/odata/{*path}")]
    public void Each_reporting_route_is_a_GET_left_to_app_service_authentication_and_the_role_check(string function, string route)
    {
        var functions = FunctionsMetadata.Load();
        Assert.True(functions.ContainsKey(function), $"{function} is not in functions.metadata");
        var trigger = functions[function].GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "httpTrigger");
        Assert.Equal("Anonymous", trigger.GetProperty("authLevel").GetString());
        Assert.Equal(route, trigger.GetProperty("route").GetString());
        Assert.Equal(["get"], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
    }

    /// <summary>The report's route also takes POST, which recomputes PeriodStats (a GET writes nothing); the Operator role guards it.</summary>
    [Fact]
    public void The_report_recompute_is_a_POST_on_the_report_route_left_to_the_role_check()
    {
        var trigger = FunctionsMetadata.Load()["RecomputeReport"].GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "httpTrigger");
        Assert.Equal(("Anonymous", "api/reports/{period}"), (trigger.GetProperty("authLevel").GetString(), trigger.GetProperty("route").GetString()));
        Assert.Equal(["post"], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
    }

    /// <summary>The router that `monitor serve` uses answers exactly the routes the function app declares, no more.</summary>
    [Fact]
    public async Task The_router_answers_exactly_the_function_routes()
    {
        var routes = FunctionsMetadata.Load().Values
            .SelectMany(f => f.GetProperty("bindings").EnumerateArray())
            .Where(b => b.GetProperty("type").GetString() == "httpTrigger")
            .Select(b => b.GetProperty("route").GetString()!)
            .Where(r => r.StartsWith(ApiRoutes.Prefix + "/", StringComparison.Ordinal))
            .Select(r => r[(ApiRoutes.Prefix.Length + 1)..])
            .Distinct()
            .ToList();
        // The OData feed's catch-all route is the OData service's, not the router's.
        Assert.Single(routes, r => r == ApiRoutes.OData);
        Assert.True(ODataService.Owns("/api/odata") && ODataService.Owns("/api/odata/Requests") && !ODataService.Owns("/api/odatax"));
        routes.Remove(ApiRoutes.OData);
        await using var test = new TestStorage();
        var api = test.Services.GetRequiredService<ReportingApi>();

        foreach (var route in routes)
        {
            // An unknown parameter is refused by the route's own query before anything is read: proof that the route matched.
            var answer = await api.HandleAsync("GET", $"/api/{route.Replace("{id}", "A1").Replace("{period}", "2026-H1")}?bogus=1", CancellationToken.None);
            Assert.Equal(400, answer.Status);
            Assert.StartsWith("bogus: unknown parameter", Error(answer));
        }
        var other = await api.HandleAsync("GET", "/api/other", CancellationToken.None);
        Assert.Equal(404, other.Status);
        Assert.Equal($"no such resource: /api/other (try {string.Join(", ", routes.Select(r => "/api/" + r))})", Error(other));
    }

    private static string Error(ApiResponse answer)
    {
        using var json = JsonDocument.Parse(answer.Body);
        return json.RootElement.GetProperty("error").GetString()!;
    }
}
