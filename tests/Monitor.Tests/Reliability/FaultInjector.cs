using Monitor.Benchmarks;
using System.Collections.Concurrent;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Monitor.Core.Storage;

namespace Monitor.Tests.Reliability;

/// <summary>How a storage call fails. "Before" never reaches the service; "after" did its work, but the client does not know.</summary>
public enum FaultKind
{
    ServiceUnavailableBeforeSend,
    InternalErrorAfterSend,
    TimeoutBeforeSend,
    TimeoutAfterSend,
    ConnectionDroppedBeforeSend,
    ConnectionDroppedAfterSend,
}

public sealed record InjectedFault(FaultKind Kind, StorageOperation Operation)
{
    public bool AfterSend => Kind is FaultKind.InternalErrorAfterSend or FaultKind.TimeoutAfterSend or FaultKind.ConnectionDroppedAfterSend;
}

/// <summary>
/// Makes a share of storage calls fail, the way networks and the service fail: 503 and 500 answers, timeouts and
/// dropped connections, each either before the request reaches the service or after the service has done the
/// work. It sits per retry, inside the SDK's retry loop, so the pipeline meets the faults with the retries it has
/// in production. Which calls fail comes from a seeded generator (reproducible for one caller; with parallel calls
/// the order varies, and the result must not); the kinds take turns so that every kind occurs.
/// </summary>
public sealed class FaultInjector(int seed, double rate) : IStoragePolicyProvider
{
    private static readonly FaultKind[] Kinds = Enum.GetValues<FaultKind>();
    private readonly Random _random = new(seed);
    private readonly Lock _gate = new();
    private long _turn;
    private long _calls;

    public ConcurrentQueue<InjectedFault> Injected { get; } = new();
    public long Calls => Interlocked.Read(ref _calls);
    public bool Enabled { get; set; } = true;

    public HttpPipelinePosition Position => HttpPipelinePosition.PerRetry;

    public HttpPipelinePolicy CreatePolicy(StorageService service) => new Policy(this, service);

    private FaultKind? Decide()
    {
        Interlocked.Increment(ref _calls);
        lock (_gate)
        {
            if (!Enabled || _random.NextDouble() >= rate)
            {
                return null;
            }
            return Kinds[_turn++ % Kinds.Length];
        }
    }

    private sealed class Policy(FaultInjector injector, StorageService service) : HttpPipelinePolicy
    {
        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (injector.Decide() is not { } kind)
            {
                await ProcessNextAsync(message, pipeline);
                return;
            }
            var fault = new InjectedFault(kind, StorageOperationCounter.Classify(service, message.Request.Method, message.Request.Uri.ToUri()));
            injector.Injected.Enqueue(fault);
            if (fault.AfterSend)
            {
                await ProcessNextAsync(message, pipeline);
                // The service answered; the answer is lost.
                message.Response.ContentStream?.Dispose();
            }
            switch (kind)
            {
                case FaultKind.ServiceUnavailableBeforeSend:
                    message.Response = new InjectedResponse(503, "Service Unavailable (injected)", message.Request.ClientRequestId);
                    return;
                case FaultKind.InternalErrorAfterSend:
                    message.Response = new InjectedResponse(500, "Internal Server Error (injected)", message.Request.ClientRequestId);
                    return;
                case FaultKind.TimeoutBeforeSend or FaultKind.TimeoutAfterSend:
                    // What the transport throws when the network timeout expires (not the caller's cancellation).
                    throw new TaskCanceledException($"injected timeout ({kind})");
                default:
                    throw new RequestFailedException(0, $"injected: connection reset by peer ({kind})", new IOException("Connection reset by peer"));
            }
        }
    }

    /// <summary>An error answer with no body, as a gateway in front of the service gives it.</summary>
    private sealed class InjectedResponse(int status, string reason, string clientRequestId) : Response
    {
        public override int Status => status;
        public override string ReasonPhrase => reason;
        public override Stream? ContentStream { get; set; } = new MemoryStream();
        public override string ClientRequestId { get; set; } = clientRequestId;

        // The transport would classify a real answer; an injected one must say itself that it is an error.
        public override bool IsError => true;

        public override void Dispose()
        {
        }

        protected override bool ContainsHeader(string name) => false;

        protected override IEnumerable<HttpHeader> EnumerateHeaders() => [];

        protected override bool TryGetHeader(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
        {
            value = null;
            return false;
        }

        protected override bool TryGetHeaderValues(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IEnumerable<string>? values)
        {
            values = null;
            return false;
        }
    }
}
