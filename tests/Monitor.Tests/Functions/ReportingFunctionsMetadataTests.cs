using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Functions;

/// <summary>The reporting API's HTTP triggers, as the Functions host reads them: GET only, function keys, never anonymous.</summary>
public sealed class ReportingFunctionsMetadataTests
{
    [Theory]
    [InlineData("GetRequests", "requests")]
    [InlineData("GetRequest", "requests/{id}")]
    [InlineData("GetAlerts", "alerts")]
    [InlineData("GetReport", "reports/{period}")]
    public void Each_reporting_route_is_a_GET_with_function_level_authorization(string function, string route)
    {
        var functions = FunctionsMetadata.Load();
        Assert.True(functions.ContainsKey(function), $"{function} is not in functions.metadata");
        var trigger = functions[function].GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "httpTrigger");
        Assert.Equal("Function", trigger.GetProperty("authLevel").GetString());
        Assert.Equal(route, trigger.GetProperty("route").GetString());
        Assert.Equal(["get"], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
    }
}
