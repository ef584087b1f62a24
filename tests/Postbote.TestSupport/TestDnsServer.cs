using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Postbote.TestSupport;

/// <summary>
/// An authoritative-looking DNS server on 127.0.0.1 serving zones declared in code (ARSoft.Tools.Net DnsServer, UDP).
/// Unknown names answer NXDOMAIN; names with records of other types answer NOERROR with no data.
/// </summary>
public sealed partial class TestDnsServer : IDisposable
{
    private readonly ConcurrentDictionary<string, List<DnsRecordBase>> _records = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, ReturnCode> _rcodes = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, bool> _silent = new(StringComparer.OrdinalIgnoreCase);
    private readonly DnsServer _server;

    /// <summary>Starts the server on a free UDP port of 127.0.0.1.</summary>
    public TestDnsServer()
    {
        // ARSoft does not report the port it bound, so pick a free one first (bounded retries on a race).
        for (var attempt = 0; ; attempt++)
        {
            Port = FreeUdpPort();
            _server = new DnsServer(new IServerTransport[] { new UdpServerTransport(new IPEndPoint(IPAddress.Loopback, Port), 2000) });
            _server.QueryReceived += OnQueryAsync;
            try
            {
                _server.Start();
                break;
            }
            catch (SocketException) when (attempt < 5)
            {
            }
        }
    }

    /// <summary>The UDP port served.</summary>
    public int Port { get; }

    /// <summary>"127.0.0.1:port", for DnsOptions.Servers.</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>Queries received, as "name/TYPE".</summary>
    public ConcurrentQueue<string> Queries { get; } = new();

    /// <summary>Adds an MX record.</summary>
    public TestDnsServer AddMx(string domain, ushort preference, string exchange)
        => Add(new MxRecord(DomainName.Parse(domain), 300, preference, DomainName.Parse(exchange)));

    /// <summary>Adds a null MX (RFC 7505: "0 .").</summary>
    public TestDnsServer AddNullMx(string domain) => Add(new MxRecord(DomainName.Parse(domain), 300, 0, DomainName.Root));

    /// <summary>Adds an A record.</summary>
    public TestDnsServer AddA(string name, string address) => Add(new ARecord(DomainName.Parse(name), 300, IPAddress.Parse(address)));

    /// <summary>Adds an AAAA record.</summary>
    public TestDnsServer AddAaaa(string name, string address) => Add(new AaaaRecord(DomainName.Parse(name), 300, IPAddress.Parse(address)));

    /// <summary>Adds a TXT record.</summary>
    public TestDnsServer AddTxt(string name, string text) => Add(new TxtRecord(DomainName.Parse(name), 300, text));

    /// <summary>Declares that <paramref name="name"/> exists (NOERROR, no data for every type).</summary>
    public TestDnsServer AddEmptyName(string name)
    {
        _records.GetOrAdd(Key(name), _ => new List<DnsRecordBase>());
        return this;
    }

    /// <summary>Answers every query for <paramref name="name"/> with SERVFAIL.</summary>
    public TestDnsServer SetServFail(string name) => SetReturnCode(name, ReturnCode.ServerFailure);

    /// <summary>Answers every query for <paramref name="name"/> with NXDOMAIN (also the default for unknown names).</summary>
    public TestDnsServer SetNxDomain(string name) => SetReturnCode(name, ReturnCode.NxDomain);

    /// <summary>Never answers queries for <paramref name="name"/> (client timeout).</summary>
    public TestDnsServer SetSilent(string name)
    {
        _silent[Key(name)] = true;
        return this;
    }

    private TestDnsServer SetReturnCode(string name, ReturnCode code)
    {
        _rcodes[Key(name)] = code;
        return this;
    }

    private TestDnsServer Add(DnsRecordBase record)
    {
        var list = _records.GetOrAdd(Key(record.Name.ToString()), _ => new List<DnsRecordBase>());
        lock (list)
            list.Add(record);
        return this;
    }

    private Task OnQueryAsync(object sender, QueryReceivedEventArgs e)
    {
        if (e.Query is not DnsMessage query || query.Questions.Count == 0)
            return Task.CompletedTask;
        var question = query.Questions[0];
        var key = Key(question.Name.ToString());
        Queries.Enqueue($"{key}/{question.RecordType}");
        if (_hanging.ContainsKey(key))
            return HangAsync();
        if (_silent.ContainsKey(key) || IsSilentFor(key, question.RecordType))
            return Task.CompletedTask;
        var response = query.CreateResponseInstance();
        response.IsAuthoritiveAnswer = true;
        if (_rcodes.TryGetValue(key, out var code))
        {
            response.ReturnCode = code;
        }
        else if (_records.TryGetValue(key, out var list))
        {
            response.ReturnCode = ReturnCode.NoError;
            lock (list)
                response.AnswerRecords.AddRange(list.Where(r => r.RecordType == question.RecordType));
            if (response.AnswerRecords.Count == 0) AddCnameTarget(response, list, question.RecordType);
        }
        else
        {
            response.ReturnCode = ReturnCode.NxDomain;
        }
        if (response.AnswerRecords.Count == 0) AddNegativeSoa(response, key);
        e.Response = response;
        return Task.CompletedTask;
    }

    private static string Key(string name) => name.TrimEnd('.').ToLowerInvariant();

    private static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>Stops the server.</summary>
    public void Dispose()
    {
        _stopHanging.Cancel();
        try
        {
            _server.Stop();
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OperationCanceledException))
        {
            // ARSoft's Stop surfaces the cancelled listener task.
        }
        catch (OperationCanceledException)
        {
        }
    }
}
