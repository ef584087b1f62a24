namespace Postbote.Smtpd.Filters;

/// <summary>
/// The outcome of SMFIC_OPTNEG: the version both sides speak, the actions the filter may take, the steps it
/// asked to leave out or unanswered, and the macros it asked for per stage (SMFIR_SETSYMLIST data, version 6).
/// </summary>
public sealed record MilterNegotiation(uint Version, MilterActions Actions, MilterSteps Steps,
    IReadOnlyDictionary<MilterProtocol.MacroStage, string[]> RequestedMacros)
{
    /// <summary>The MTA's offer: version 6, every action, every step flag Postbote understands.</summary>
    public static void WriteOffer(MilterPacketBuilder packet) => packet.Start(MilterProtocol.OptionNegotiation)
        .UInt32(MilterProtocol.Version).UInt32((uint)MilterActions.All).UInt32((uint)MilterSteps.Offered).End();

    /// <summary>Reads the filter's answer to our offer; refuses what was not offered (libmilter does the same).</summary>
    public static MilterNegotiation Parse(MilterPacket packet)
    {
        if (packet.Command != MilterProtocol.OptionNegotiation)
            throw new MilterProtocolException($"expected the option negotiation reply, got '{packet.CommandName}'");
        var fields = packet.Fields();
        uint version = fields.UInt32();
        var actions = (MilterActions)fields.UInt32();
        var steps = (MilterSteps)fields.UInt32();
        // Versions before 2 have no negotiation; a later one than ours talks down to 6.
        if (version < 2) throw new MilterProtocolException($"filter speaks milter protocol version {version}, at least 2 is needed");
        if ((actions & ~MilterActions.All) != 0) throw new MilterProtocolException($"filter asks for unknown actions 0x{(uint)actions:x}");
        if ((steps & ~MilterSteps.Offered) != 0)
            throw new MilterProtocolException($"filter asks for protocol steps not offered 0x{(uint)(steps & ~MilterSteps.Offered):x}");
        var macros = new Dictionary<MilterProtocol.MacroStage, string[]>();
        while (!fields.End)
        {
            uint stage = fields.UInt32();
            var list = fields.String(required: false);
            if (stage > (uint)MilterProtocol.MacroStage.EndOfHeaders) throw new MilterProtocolException($"macro list for unknown stage {stage}");
            macros[(MilterProtocol.MacroStage)stage] = list.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }
        return new MilterNegotiation(Math.Min(version, MilterProtocol.Version), actions, steps, macros);
    }

    public bool Has(MilterSteps step) => (Steps & step) == step;
    public bool May(MilterActions action) => (Actions & action) == action;
}
