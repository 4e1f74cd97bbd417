from servicekit.service import main
from services.decisions.app import build

if __name__ == "__main__":
    main(build)
