using System.Security.Claims;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace Monitor.Tests.Infrastructure;

/// <summary>
/// An HTTP call as the isolated worker hands it to a function: the worker's own abstract request, response and
/// context types, filled in the way its gRPC layer fills them (there is no Functions host process here). The function
/// instance and everything it uses come from the real host's services.
/// </summary>
public sealed class WorkerHttpCall : FunctionContext
{
    public WorkerHttpCall(IServiceProvider services, string method, Uri url, params (string Name, string Value)[] headers)
    {
        InstanceServices = services;
        Request = new CallRequest(this, method, url, headers);
    }

    public HttpRequestData Request { get; }

    public override string InvocationId { get; } = Guid.NewGuid().ToString();
    public override string FunctionId => "test";
    public override TraceContext TraceContext => null!;
    public override BindingContext BindingContext => null!;
    public override RetryContext RetryContext => null!;
    public override IServiceProvider InstanceServices { get; set; }
    public override FunctionDefinition FunctionDefinition => null!;
    public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();
    public override IInvocationFeatures Features => null!;

    /// <summary>The body of a response the function wrote.</summary>
    public static string BodyOf(HttpResponseData response)
    {
        response.Body.Position = 0;
        return new StreamReader(response.Body).ReadToEnd();
    }

    private sealed class CallRequest(FunctionContext context, string method, Uri url, (string Name, string Value)[] headers) : HttpRequestData(context)
    {
        public override Stream Body { get; } = new MemoryStream();
        public override HttpHeadersCollection Headers { get; } = new(headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value)));
        public override IReadOnlyCollection<IHttpCookie> Cookies { get; } = [];
        public override Uri Url { get; } = url;
        public override IEnumerable<ClaimsIdentity> Identities { get; } = [];
        public override string Method { get; } = method;

        public override HttpResponseData CreateResponse() => new CallResponse(FunctionContext);
    }

    private sealed class CallResponse(FunctionContext context) : HttpResponseData(context)
    {
        public override System.Net.HttpStatusCode StatusCode { get; set; }
        public override HttpHeadersCollection Headers { get; set; } = [];
        public override Stream Body { get; set; } = new MemoryStream();
        public override HttpCookies Cookies => null!;
    }
}
