using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Postbote.Benchmarks -- --filter '*' --job short
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

public partial class Program;
