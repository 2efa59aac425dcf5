/** Bun imports C headers as text (`with { type: "text" }`): they are embedded in the binary. */
declare module "*.h" {
  const text: string;
  export default text;
}
