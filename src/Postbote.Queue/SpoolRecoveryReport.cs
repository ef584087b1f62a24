namespace Postbote.Queue;

/// <summary>What the start-up scan of the spool found and did.</summary>
public sealed record SpoolRecoveryReport(int Resumed, int TemporaryFilesRemoved, int OrphansRemoved, int MovedToCorrupt);
