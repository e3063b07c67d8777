import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `syncline dev --run "vite"` (npm run dev) starts Vite once the backend is ready and tells it
// where the backend listens in SYNCLINE_URL; the page reads it as import.meta.env.SYNCLINE_URL.
// For a production build, set it to your deployed backend: SYNCLINE_URL=https://api.example.com npm run build
export default defineConfig({
  plugins: [react()],
  define: {
    "import.meta.env.SYNCLINE_URL": JSON.stringify(process.env.SYNCLINE_URL ?? "http://127.0.0.1:3210"),
  },
});
