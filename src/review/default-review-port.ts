/** The port `emolabel review` listens on unless `--port` says otherwise (its own module: help text loads no server). */
export const DEFAULT_REVIEW_PORT = 8790;
