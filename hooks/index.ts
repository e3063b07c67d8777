// `syncline/react`: the React bindings over the framework-free client. The hooks land with the
// React issue; the entry point exists now so the package layout is stable.
export {};
